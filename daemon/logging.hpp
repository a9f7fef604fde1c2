// Logs go to stderr through spdlog: text or one JSON object per line. Under systemd
// (JOURNAL_STREAM set) text lines carry no timestamp: the journal adds its own.
#pragma once

#include <string>

namespace enumwatch {

// level: trace|debug|info|warn|error; format: text|json.
void configure_logging(const std::string& level, const std::string& format);

}  // namespace enumwatch
