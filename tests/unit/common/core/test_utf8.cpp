#include <doctest/doctest.h>

#include "enumwatch/core/utf8.hpp"

using namespace enumwatch;

TEST_CASE("valid UTF-8 is told from overlong forms, surrogates, stray bytes and cut sequences") {
  CHECK(is_valid_utf8("pending_payment"));
  CHECK(is_valid_utf8("straße ✓ 𝄞"));
  CHECK_FALSE(is_valid_utf8("\xC0\x80"));          // overlong NUL
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a surrogate, U+D800
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(is_valid_utf8("caf\xE9"));           // Latin-1, as a SQL_ASCII database may hold
  CHECK_FALSE(is_valid_utf8("\xE2\x9C"));          // a sequence cut short
}

TEST_CASE("a type name that is not UTF-8 is repaired byte by byte, the rest kept") {
  CHECK(to_valid_utf8("caf\xE9 ok") == "caf\uFFFD ok");
  CHECK(to_valid_utf8("\xE2\x9C") == "\uFFFD\uFFFD");
  CHECK(to_valid_utf8("✓") == "✓");
}

TEST_CASE("code points decode and encode back to the same bytes; a stray byte stands for itself") {
  const std::string text = "a\u00e9\u2028\U0001D11E";
  std::string again;
  for (std::size_t i = 0; i < text.size();) {
    const auto [cp, len] = next_code_point(text, i);
    append_utf8(again, cp);
    i += len;
  }
  CHECK(again == text);
  CHECK(next_code_point("\u2028", 0) == std::pair<char32_t, std::size_t>{0x2028, 3});
  CHECK(next_code_point("\xFF", 0) == std::pair<char32_t, std::size_t>{0xFF, 1});
}

TEST_CASE("a name cut to PostgreSQL's 63 bytes never ends inside a character") {
  const std::string name = std::string(62, 'a') + "é";  // 64 bytes: é would straddle the cut
  CHECK(utf8_prefix(name, 63) == std::string(62, 'a'));
  CHECK(utf8_prefix("short", 63) == "short");
  CHECK(is_valid_utf8(utf8_prefix("✓✓✓", 4)));
  CHECK(utf8_prefix("✓✓✓", 4) == "✓");
}
