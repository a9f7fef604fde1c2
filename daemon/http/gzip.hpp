// Whether a client accepts gzip (docs/http-api.md, "Compression"): Prometheus scrapes with
// Accept-Encoding: gzip, and a fleet's /metrics is megabytes of text that compresses about
// 17-fold (metrics/deflated_pieces.hpp writes it).
#pragma once

#include <string>
#include <string_view>

namespace enumwatch {

// Whether an Accept-Encoding header value admits gzip: "gzip" (or "x-gzip", or "*") listed with
// no q or a q above 0.
[[nodiscard]] bool accepts_gzip(std::string_view accept_encoding);

}  // namespace enumwatch
