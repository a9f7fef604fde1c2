// Which targets this daemon watches when a fleet is split across hosts (docs/fleet.md, "Shards"):
// `shard = "K/N"` names the shard outright, `shard = "auto"` takes K from the host name's trailing
// ordinal (a StatefulSet pod `enumwatch-3`) and N from ENUMWATCH_SHARDS. Targets fall to shards by
// rendezvous hashing on their name, so going from N to N+1 shards moves only the targets the new
// shard wins, about 1/(N+1) of them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace enumwatch {

// What the config says; "" is a single daemon (shard 0 of 1).
struct ShardSetting {
  enum class Kind { none, fixed, automatic };
  Kind kind = Kind::none;
  unsigned index = 0;  // fixed only
  unsigned count = 1;  // fixed only

  bool operator==(const ShardSetting&) const = default;
};

// Throws Error saying what to write when the text is neither "", "auto" nor "K/N" with K < N.
[[nodiscard]] ShardSetting parse_shard_setting(std::string_view text);

// The shard this daemon is.
struct Shard {
  unsigned index = 0;
  unsigned count = 1;

  [[nodiscard]] bool owns(std::string_view target) const;
  bool operator==(const Shard&) const = default;
};

// The shard a target falls to among `count` (rendezvous hashing: the shard with the highest
// SHA-256 of name and shard number wins).
[[nodiscard]] unsigned shard_of(std::string_view target, unsigned count);

// Resolves "auto" from the host name (as gethostname() returns it) and the value of
// ENUMWATCH_SHARDS (absent: nullopt). Throws Error naming what is missing or wrong: no trailing
// "-K" ordinal, ENUMWATCH_SHARDS unset or not a number from 1 to 1000, K >= N.
[[nodiscard]] Shard resolve_shard(const ShardSetting& setting, std::string_view hostname,
                                  std::optional<std::string_view> shards_env);

}  // namespace enumwatch
