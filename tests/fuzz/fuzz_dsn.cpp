// DSN parsing (libpq's own parser) and redaction. The byte sequence "@P" in the input stands for
// a fixed secret; when the text holds it once and the parse puts it in the password, nothing
// enumwatch renders for humans may show it: not redacted(), not redact_dsn() of the text, and no
// parse error ever echoes it at all.
#include <string>

#include "enumwatch/config/dsn.hpp"
#include "enumwatch/core/error.hpp"
#include "fuzz_support.hpp"

using namespace enumwatch;

namespace {

constexpr std::string_view kSecret = "Hunter2Secret";

std::string with_secret(std::string_view input) {
  std::string out;
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (input[i] == '@' && i + 1 < input.size() && input[i + 1] == 'P') {
      out += kSecret;
      ++i;
    } else {
      out += input[i];
    }
  }
  return out;
}

// True when a key other than the password, or its value, holds the secret: then showing it is
// right (it is a host name, say), and the property does not apply.
bool secret_outside_password(const ConnParams& params) {
  for (const auto& [key, value] : params.entries) {
    if (key == "password") continue;
    if (value.find(kSecret) != std::string::npos || key.find(kSecret) != std::string::npos)
      return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string dsn = with_secret(fuzz::as_text(data, size));
  if (dsn.find('\0') != std::string::npos) return 0;  // libpq takes C strings
  ConnParams params;
  try {
    params = parse_dsn(dsn);
  } catch (const Error& e) {
    fuzz::require(std::string_view(e.what()).find(kSecret) == std::string_view::npos,
                  "a DSN parse error never shows the password", e.what());
    fuzz::require_one_line(e.what());
    return 0;
  }
  (void)redact_dsn(dsn);  // any text: never crashes
  // Only when the text holds the secret once: a value libpq overrode with a later duplicate
  // key is not in the parse, so where it stood is unknown.
  const std::string* password = params.find("password");
  if (dsn.find(kSecret) != dsn.rfind(kSecret) || !password ||
      password->find(kSecret) == std::string::npos || secret_outside_password(params))
    return 0;
  fuzz::require(params.redacted().find(kSecret) == std::string::npos,
                "redacted() hides the password", params.redacted());
  const std::string redacted_text = redact_dsn(dsn);
  fuzz::require(redacted_text.find(kSecret) == std::string::npos,
                "redact_dsn() hides the password of a DSN libpq accepts", redacted_text);
  return 0;
}
