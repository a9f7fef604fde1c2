// Logs go to stderr through spdlog: text or one JSON object per line. Under systemd
// (JOURNAL_STREAM set) text lines carry no timestamp: the journal adds its own.
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <string_view>

namespace enumwatch {

// Counts an unexpected error in enumwatch_internal_errors_total{component} (the daemon's metrics).
using InternalErrorCounter = std::function<void(const std::string& component)>;

// The one edge of every long-running loop: an error nobody expected (not an enumwatch::Error, or
// one that escaped where it should have been handled) is logged once with its component and
// counted; the loop then goes on. Never throws.
void report_internal_error(const InternalErrorCounter& count, const std::string& component,
                           std::exception_ptr error) noexcept;

// What an exception says: its what(), or that it is not a std::exception.
[[nodiscard]] std::string describe_exception(std::exception_ptr error);

// A co_spawn completion handler that does the same for an exception escaping a coroutine,
// instead of asio::detached dropping it silently.
[[nodiscard]] std::function<void(std::exception_ptr)> report_escape(InternalErrorCounter count,
                                                                    std::string component);

// level: trace|debug|info|warn|error; format: text|json.
void configure_logging(const std::string& level, const std::string& format);

}  // namespace enumwatch
