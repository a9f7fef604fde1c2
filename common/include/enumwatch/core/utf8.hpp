// UTF-8, decoded and encoded in one place: validation, repair, code points, cutting to a length.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace enumwatch {

// Valid UTF-8: no overlong form, no surrogate, nothing past U+10FFFF.
[[nodiscard]] bool is_valid_utf8(std::string_view text);
// Length of the valid UTF-8 sequence starting at byte i (1 for ASCII), or 0 when the byte there
// does not start one.
[[nodiscard]] std::size_t utf8_sequence_length(std::string_view text, std::size_t i);
// The text with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD.
[[nodiscard]] std::string to_valid_utf8(std::string_view text);
// The code point of the valid sequence at byte i and its length; a byte that starts none stands
// for itself, with length 1.
[[nodiscard]] std::pair<char32_t, std::size_t> next_code_point(std::string_view text,
                                                               std::size_t i);
// Appends the encoding of cp, as given: the caller decides what a surrogate or a value past
// U+10FFFF means (PostgreSQL's escapes can spell them).
void append_utf8(std::string& out, char32_t cp);
// At most max_bytes of text, cut before a sequence rather than inside it.
[[nodiscard]] std::string utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace enumwatch
