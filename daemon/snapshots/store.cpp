#include "snapshots/store.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>

#include "enumwatch/error.hpp"
#include "enumwatch/file_io.hpp"
#include "enumwatch/report.hpp"
#include "enumwatch/text.hpp"

namespace enumwatch {
namespace fs = std::filesystem;
namespace {

std::chrono::system_clock::time_point from_ms(std::int64_t ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

}  // namespace

std::optional<StoredSnapshot> SnapshotStore::load(const std::string& name) const {
  const fs::path current = fs::path(state_dir_) / "snapshots" / name / "current.json";
  std::error_code ec;
  if (!fs::exists(current, ec)) return std::nullopt;
  const std::string text = read_file(current.string(), "stored snapshot");
  try {
    auto root = boost::json::parse(text).as_object();
    StoredSnapshot out;
    out.snapshot = std::make_shared<Snapshot>(parse_snapshot(
        boost::json::serialize(root.at("snapshot")), SnapshotFormat::json, current.string()));
    out.digest = std::string(root.at("digest").as_string());
    out.registered_at = from_ms(root.at("registered_at_ms").as_int64());
    return out;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(current.string() + ": stored snapshot is corrupt (" + e.what() +
                "): register the snapshot again or restore it from history/");
  }
}

StoredSnapshot SnapshotStore::save(const std::string& name, const Snapshot& snapshot,
                                   std::chrono::system_clock::time_point now) const {
  const fs::path dir = fs::path(state_dir_) / "snapshots" / name;
  const fs::path history = dir / "history";
  std::error_code ec;
  fs::create_directories(history, ec);
  if (ec) throw Error(history.string() + ": cannot create directory: " + ec.message());

  StoredSnapshot stored{std::make_shared<Snapshot>(snapshot), digest(snapshot), now};
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  boost::json::object root;
  root["name"] = name;
  root["digest"] = stored.digest;
  root["registered_at"] = format_timestamp(now);
  root["registered_at_ms"] = ms;
  root["snapshot"] = boost::json::parse(to_json(snapshot));
  const std::string content = boost::json::serialize(root) + "\n";

  write_file_atomically(
      (history / (std::to_string(ms) + "-" + stored.digest.substr(0, 12) + ".json")).string(),
      content);
  write_file_atomically((dir / "current.json").string(), content);

  std::vector<fs::path> versions;
  for (const auto& entry : fs::directory_iterator(history, ec)) {
    if (entry.path().extension() == ".json") versions.push_back(entry.path());
  }
  std::sort(versions.begin(), versions.end());  // names start with the time: oldest first
  while (versions.size() > kHistoryVersions) {
    fs::remove(versions.front(), ec);
    versions.erase(versions.begin());
  }
  return stored;
}

}  // namespace enumwatch
