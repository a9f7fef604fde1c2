// The status page's style and script (daemon/http/page/), compiled in by CMake.
#pragma once

#include <string_view>

namespace enumwatch {
extern const std::string_view kStatusPageCss;
extern const std::string_view kStatusPageScript;
}  // namespace enumwatch
