// The snapshot parser (docs/snapshot-format.md), TOML and JSON, with what the daemon and the CLI do
// next: a parsed snapshot writes back to both formats, reads back equal, and keeps its digest.
#include "enumwatch/core/error.hpp"
#include "enumwatch/snapshot/snapshot.hpp"
#include "fuzz_support.hpp"

using namespace enumwatch;

namespace {

void round_trip(const Snapshot& parsed) {
  const std::string digest_before = digest(parsed);
  for (SnapshotFormat format : {SnapshotFormat::toml, SnapshotFormat::json}) {
    const std::string written = format == SnapshotFormat::toml ? to_toml(parsed) : to_json(parsed);
    Snapshot again;
    try {
      again = parse_snapshot(written, format, "written back");
    } catch (const Error& e) {
      fuzz::require(false, "a snapshot enumwatch wrote parses again", e.what());
    }
    fuzz::require(again == parsed, "a snapshot reads back equal to what was written", written);
    fuzz::require(digest(again) == digest_before, "the digest survives a round trip", written);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  for (SnapshotFormat format : {SnapshotFormat::toml, SnapshotFormat::json}) {
    try {
      round_trip(parse_snapshot(text, format, "fuzz input"));
    } catch (const Error& e) {
      fuzz::require_one_line(e.what());
    }
  }
  return 0;
}
