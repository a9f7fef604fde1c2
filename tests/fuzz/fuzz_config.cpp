// The config parser (docs/configuration.md): any text is a valid Config or one Error with a
// one-line message; never a crash, never a half-filled config.
#include "enumwatch/config/config.hpp"
#include "enumwatch/core/error.hpp"
#include "fuzz_support.hpp"

using namespace enumwatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    // A base directory that does not exist: file references fail the same way every run.
    const Config config = parse_config(fuzz::as_text(data, size), "fuzz.toml", "/nonexistent");
    for (const auto& target : config.targets) {
      fuzz::require(is_valid_name(target.name), "target names follow the name rule", target.name);
    }
    for (const auto& [name, source] : config.snapshots) {
      fuzz::require(is_valid_name(name), "snapshot names follow the name rule", name);
    }
  } catch (const Error& e) {
    fuzz::require_one_line(e.what());
  }
  return 0;
}
