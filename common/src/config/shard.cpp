#include "enumwatch/config/shard.hpp"

#include <charconv>
#include <cstdint>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/sha256.hpp"

namespace enumwatch {

namespace {

// Up to 1000 shards: far more hosts than one fleet needs, and every number stays small.
constexpr unsigned kMaxShards = 1000;

std::optional<unsigned> parse_number(std::string_view text) {
  unsigned value = 0;
  if (text.empty() || text.size() > 4) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::uint64_t score(std::string_view target, unsigned shard) {
  std::string key(target);
  key.push_back('\0');
  key += std::to_string(shard);
  const std::string hex = sha256_hex(key);
  return std::stoull(hex.substr(0, 16), nullptr, 16);
}

}  // namespace

ShardSetting parse_shard_setting(std::string_view text) {
  if (text.empty()) return {};
  if (text == "auto") return {ShardSetting::Kind::automatic, 0, 1};
  const auto slash = text.find('/');
  const auto index =
      slash == std::string_view::npos ? std::nullopt : parse_number(text.substr(0, slash));
  const auto count =
      slash == std::string_view::npos ? std::nullopt : parse_number(text.substr(slash + 1));
  if (!index || !count || *count < 1 || *count > kMaxShards || *index >= *count) {
    throw Error("daemon.shard = \"" + std::string(text) +
                "\": write \"K/N\" with 0 <= K < N <= 1000 (e.g. \"0/3\"), \"auto\", or \"\"");
  }
  return {ShardSetting::Kind::fixed, *index, *count};
}

unsigned shard_of(std::string_view target, unsigned count) {
  unsigned best = 0;
  std::uint64_t best_score = 0;
  for (unsigned shard = 0; shard < count; ++shard) {
    const std::uint64_t s = score(target, shard);
    if (shard == 0 || s > best_score) {
      best = shard;
      best_score = s;
    }
  }
  return best;
}

bool Shard::owns(std::string_view target) const {
  return count <= 1 || shard_of(target, count) == index;
}

Shard resolve_shard(const ShardSetting& setting, std::string_view hostname,
                    std::optional<std::string_view> shards_env) {
  switch (setting.kind) {
    case ShardSetting::Kind::none:
      return {};
    case ShardSetting::Kind::fixed:
      return {setting.index, setting.count};
    case ShardSetting::Kind::automatic:
      break;
  }
  const auto dash = hostname.rfind('-');
  const auto index =
      dash == std::string_view::npos ? std::nullopt : parse_number(hostname.substr(dash + 1));
  if (!index) {
    throw Error("daemon.shard = \"auto\": the host name \"" + std::string(hostname) +
                "\" has no trailing -K ordinal (a StatefulSet pod is named like enumwatch-0): "
                "run it in a StatefulSet or write shard = \"K/N\"");
  }
  if (!shards_env) {
    throw Error(
        "daemon.shard = \"auto\": ENUMWATCH_SHARDS is not set: set it to the number of "
        "shards (the StatefulSet's replicas)");
  }
  const auto count = parse_number(*shards_env);
  if (!count || *count < 1 || *count > kMaxShards) {
    throw Error("daemon.shard = \"auto\": ENUMWATCH_SHARDS = \"" + std::string(*shards_env) +
                "\" is not a number from 1 to 1000");
  }
  if (*index >= *count) {
    throw Error("daemon.shard = \"auto\": host " + std::string(hostname) + " is shard " +
                std::to_string(*index) + ", but ENUMWATCH_SHARDS = " + std::to_string(*count) +
                " (shards 0 to " + std::to_string(*count - 1) +
                "): raise ENUMWATCH_SHARDS to the StatefulSet's replicas");
  }
  return {*index, *count};
}

}  // namespace enumwatch
