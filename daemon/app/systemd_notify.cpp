#include "app/systemd_notify.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

namespace enumwatch::systemd {
namespace {

void notify(const std::string& message) {
  (void)sd_notify(0, message.c_str());
}

}  // namespace

void ready(const std::string& text) {
  notify("READY=1\nSTATUS=" + text);
}

void reloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long usec = static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
  notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) +
         "\nSTATUS=reloading configuration");
}

void stopping() {
  notify("STOPPING=1\nSTATUS=stopping");
}

void status(const std::string& text) {
  notify("STATUS=" + text);
}

void watchdog() {
  notify("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> watchdog_ping_interval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace enumwatch::systemd
