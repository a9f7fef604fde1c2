// SHA-256 through OpenSSL, in one place: snapshot digests, alert fingerprints, token comparison.
#pragma once

#include <string>
#include <string_view>

namespace enumwatch {

// Lower-case hex of the SHA-256 of `text` (64 characters). Throws Error if OpenSSL fails.
[[nodiscard]] std::string sha256_hex(std::string_view text);

// Standard base64 (with padding) of the SHA-256 of `text` (44 characters): the form a
// Content-Security-Policy hash source takes. Throws Error if OpenSSL fails.
[[nodiscard]] std::string sha256_base64(std::string_view text);

}  // namespace enumwatch
