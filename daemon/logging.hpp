// Logs go to stderr through spdlog: text or one JSON object per line. Under systemd
// (JOURNAL_STREAM set) text lines carry no timestamp: the journal adds its own.
#pragma once

#include <exception>
#include <functional>
#include <string>

namespace enumwatch {

// A co_spawn completion handler that logs an exception escaping the coroutine, instead of
// asio::detached dropping it silently.
[[nodiscard]] std::function<void(std::exception_ptr)> log_escape(std::string what);

// level: trace|debug|info|warn|error; format: text|json.
void configure_logging(const std::string& level, const std::string& format);

}  // namespace enumwatch
