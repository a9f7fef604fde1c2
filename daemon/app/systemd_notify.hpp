// The daemon's side of Type=notify: READY, RELOADING, STOPPING, STATUS and the watchdog.
// Everything is a no-op when not started by systemd (NOTIFY_SOCKET unset).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace enumwatch::systemd {

void ready(const std::string& status);
void reloading();
void stopping();
void status(const std::string& status);
void watchdog();
// How often to ping: half of WATCHDOG_USEC, or nothing when the watchdog is off.
[[nodiscard]] std::optional<std::chrono::microseconds> watchdog_ping_interval();

}  // namespace enumwatch::systemd
