#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "enumwatch/config/shard.hpp"
#include "enumwatch/core/error.hpp"

using namespace enumwatch;

namespace {

std::string error_of(auto&& call) {
  try {
    (void)call();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> tenant_names(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("tenant-" + std::to_string(i) + ".prod");
  return out;
}

}  // namespace

TEST_CASE("shard settings: empty, auto and K/N; anything else says what to write") {
  CHECK(parse_shard_setting("").kind == ShardSetting::Kind::none);
  CHECK(parse_shard_setting("auto").kind == ShardSetting::Kind::automatic);
  const ShardSetting fixed = parse_shard_setting("2/3");
  CHECK(fixed.kind == ShardSetting::Kind::fixed);
  CHECK(fixed.index == 2);
  CHECK(fixed.count == 3);
  for (const char* bad : {"3/3", "1", "a/b", "-1/3", "0/0", "0/1001", "1/3 ", "0x1/3", "1//3"}) {
    CAPTURE(bad);
    CHECK(error_of([&] { return parse_shard_setting(bad); }).find("write \"K/N\"") !=
          std::string::npos);
  }
}

TEST_CASE("every target falls to exactly one shard, and shards share targets about evenly") {
  const auto names = tenant_names(3000);
  std::map<unsigned, int> per_shard;
  for (const auto& name : names) {
    int owners = 0;
    for (unsigned k = 0; k < 3; ++k) owners += Shard{k, 3}.owns(name) ? 1 : 0;
    CHECK(owners == 1);
    ++per_shard[shard_of(name, 3)];
  }
  REQUIRE(per_shard.size() == 3);
  for (const auto& entry : per_shard) {  // not a structured binding: CAPTURE is a lambda
    CAPTURE(entry.first);
    CHECK(entry.second > 850);  // 1000 expected; a skewed hash would leave a shard far short
    CHECK(entry.second < 1150);
  }
  CHECK(Shard{}.owns("anything"));  // a single daemon owns every target
}

TEST_CASE("going from N to N+1 shards moves only targets to the new shard, about 1/(N+1)") {
  const auto names = tenant_names(4000);
  int moved = 0;
  for (const auto& name : names) {
    const unsigned before = shard_of(name, 3);
    const unsigned after = shard_of(name, 4);
    if (before == after) continue;
    ++moved;
    CHECK(after == 3);  // a move is always to the new shard, never between old ones
  }
  CHECK(moved > 850);  // 1000 expected
  CHECK(moved < 1150);
}

TEST_CASE("auto takes K from the host name's ordinal and N from ENUMWATCH_SHARDS") {
  const ShardSetting automatic{ShardSetting::Kind::automatic};
  CHECK(resolve_shard(automatic, "enumwatch-2", "3") == Shard{2, 3});
  CHECK(resolve_shard(automatic, "enumwatch-a-0", "1") == Shard{0, 1});
  CHECK(resolve_shard(ShardSetting{}, "whatever", std::nullopt) == Shard{0, 1});
  CHECK(resolve_shard(parse_shard_setting("1/2"), "enumwatch-7", "9") == Shard{1, 2});
  CHECK(error_of([&] {
          return resolve_shard(automatic, "ops-host", "3");
        }).find("has no trailing -K ordinal") != std::string::npos);
  CHECK(error_of([&] {
          return resolve_shard(automatic, "enumwatch-1", std::nullopt);
        }).find("ENUMWATCH_SHARDS is not set") != std::string::npos);
  CHECK(error_of([&] {
          return resolve_shard(automatic, "enumwatch-1", "three");
        }).find("is not a number from 1 to 1000") != std::string::npos);
  CHECK(error_of([&] {
          return resolve_shard(automatic, "enumwatch-3", "3");
        }).find("is shard 3, but ENUMWATCH_SHARDS = 3") != std::string::npos);
}
