#include "snapshots/store.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/file_io.hpp"
#include "enumwatch/core/text.hpp"
#include "enumwatch/report/report.hpp"

namespace enumwatch {
namespace fs = std::filesystem;
namespace {

std::chrono::system_clock::time_point from_ms(std::int64_t ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

// A failed check (EACCES on the directory) is an error, never "not there".
bool exists_or_throw(const fs::path& path) {
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (ec) {
    throw Error(path.string() + ": cannot read the daemon's state: " + ec.message() +
                ": give the user enumwatch runs as access to state_dir");
  }
  return exists;
}

StoredSnapshot read_stored(const fs::path& file) {
  if (::access(file.c_str(), R_OK) != 0 && errno == EACCES) {
    throw Error(file.string() + ": cannot read the daemon's state: " + std::strerror(EACCES) +
                ": give the user enumwatch runs as access to state_dir");
  }
  const std::string text = read_file(file.string(), "stored snapshot");
  try {
    auto root = boost::json::parse(text).as_object();
    StoredSnapshot out;
    out.snapshot =
        std::make_shared<Snapshot>(snapshot_from_json(root.at("snapshot"), file.string()));
    out.digest = std::string(root.at("digest").as_string());
    out.registered_at = from_ms(root.at("registered_at_ms").as_int64());
    if (out.digest != digest(*out.snapshot)) throw Error("its digest does not match its content");
    return out;
  } catch (const std::exception& e) {
    throw Error(file.string() + ": stored snapshot is corrupt (" + e.what() + ")");
  }
}

}  // namespace

std::optional<StoredSnapshot> SnapshotStore::load(const std::string& name) const {
  const fs::path dir = fs::path(state_dir_) / "snapshots" / name;
  const fs::path current = dir / "current.json";
  const fs::path history = dir / "history";
  const bool has_current = exists_or_throw(current);
  const bool has_history = exists_or_throw(history);
  if (!has_current && !has_history) return std::nullopt;

  std::string problem = current.string() + ": missing although history/ has versions";
  if (has_current) {
    try {
      return read_stored(current);
    } catch (const Error& e) {
      problem = e.what();
    }
  }
  std::vector<fs::path> versions;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(history, ec)) {
    if (entry.path().extension() == ".json") versions.push_back(entry.path());
  }
  if (ec) throw Error(history.string() + ": cannot list: " + ec.message());
  std::sort(versions.rbegin(), versions.rend());  // names start with the time: newest first
  std::string skipped;
  for (const auto& version : versions) {
    try {
      StoredSnapshot out = read_stored(version);
      out.recovered_from_history = problem + skipped + "; using " + version.string() +
                                   ", the newest valid version: register the snapshot again to "
                                   "replace current.json";
      return out;
    } catch (const Error& e) {
      skipped += "; skipped " + std::string(e.what());  // an older version may still be whole
    }
  }
  throw Error(problem + skipped + "; and no valid version in " + history.string() +
              ": register the snapshot again");
}

std::vector<SnapshotVersion> SnapshotStore::history(const std::string& name) const {
  std::vector<SnapshotVersion> out;
  std::error_code ec;
  for (const auto& entry :
       fs::directory_iterator(fs::path(state_dir_) / "snapshots" / name / "history", ec)) {
    const std::string file = entry.path().filename().string();  // <ms>-<digest>.json
    const auto dash = file.find('-');
    if (dash == std::string::npos || !file.ends_with(".json")) continue;
    try {
      const auto ms = std::stoll(file.substr(0, dash));
      out.push_back({file.substr(dash + 1, file.size() - dash - 6),
                     std::chrono::system_clock::time_point(std::chrono::milliseconds(ms))});
    } catch (const std::exception&) {
      continue;  // not a name this store wrote
    }
  }
  std::sort(out.begin(), out.end(), [](const SnapshotVersion& a, const SnapshotVersion& b) {
    return a.registered_at > b.registered_at;
  });
  return out;
}

StoredSnapshot SnapshotStore::save(const std::string& name, const Snapshot& snapshot,
                                   std::chrono::system_clock::time_point now) const {
  const fs::path dir = fs::path(state_dir_) / "snapshots" / name;
  const fs::path history = dir / "history";
  std::error_code ec;
  fs::create_directories(history, ec);
  if (ec) throw Error(history.string() + ": cannot create directory: " + ec.message());

  StoredSnapshot stored{std::make_shared<Snapshot>(snapshot), digest(snapshot), now, std::nullopt};
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  boost::json::object root;
  root["name"] = name;
  root["digest"] = stored.digest;
  root["registered_at"] = format_timestamp(now);
  root["registered_at_ms"] = ms;
  root["snapshot"] = to_json_value(snapshot);
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
