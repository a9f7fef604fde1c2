// gzip for responses the client says it accepts gzip for (docs/http-api.md, "Compression"):
// Prometheus scrapes with Accept-Encoding: gzip, and a fleet's /metrics is megabytes of text that
// compresses about tenfold.
#pragma once

#include <string>
#include <string_view>

namespace enumwatch {

// Whether an Accept-Encoding header value admits gzip: "gzip" (or "x-gzip", or "*") listed with
// no q or a q above 0.
[[nodiscard]] bool accepts_gzip(std::string_view accept_encoding);

// The gzip (RFC 1952) encoding of `data`, through zlib at its fastest level: a scrape pays a few
// milliseconds per megabyte. Throws Error if zlib fails.
[[nodiscard]] std::string gzip(std::string_view data);

}  // namespace enumwatch
