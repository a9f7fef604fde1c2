#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdint>
#include <string>

#include "http/gzip.hpp"

using namespace enumwatch;

namespace {

// What a scraper does with the body: zlib's inflate, told to expect a gzip header.
std::string gunzip(const std::string& data) {
  z_stream stream{};
  REQUIRE(inflateInit2(&stream, 15 + 16) == Z_OK);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&stream, Z_FINISH);
  inflateEnd(&stream);
  REQUIRE(rc == Z_STREAM_END);
  out.resize(stream.total_out);
  return out;
}

}  // namespace

TEST_CASE("gzip: what a scraper inflates is the exposition, several times smaller") {
  std::string text;
  for (int i = 0; i < 2000; ++i)
    text += "enumwatch_up{target=\"tenant-" + std::to_string(i) + "\"} 1\n";
  const std::string packed = gzip(text);
  CHECK(packed.substr(0, 2) == "\x1f\x8b");  // the gzip magic: not raw deflate, not zlib
  CHECK(packed.size() * 5 < text.size());
  CHECK(gunzip(packed) == text);
  CHECK(gunzip(gzip("")).empty());
}

TEST_CASE("gzip: a body that does not compress comes back whole, and the result keeps no slack") {
  // Label values are anyone's bytes: a body may compress far worse than the exposition's usual
  // 17:1, past the room gzip() starts with.
  std::string noise;
  std::uint32_t state = 2463534242u;
  for (int i = 0; i < 300'000; ++i) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    noise += static_cast<char>(state & 0xff);
  }
  const std::string packed = gzip(noise);
  CHECK(packed.size() > noise.size());  // stored blocks: a few bytes more, never fewer
  CHECK(gunzip(packed) == noise);
  CHECK(packed.capacity() < packed.size() + 64);
}

TEST_CASE("Accept-Encoding: gzip only when admitted, by name or by *, with a q above 0") {
  CHECK(accepts_gzip("gzip"));
  CHECK(accepts_gzip("GZIP"));
  CHECK(accepts_gzip("gzip, deflate"));  // Prometheus sends this
  CHECK(accepts_gzip("deflate, gzip;q=0.5"));
  CHECK(accepts_gzip("x-gzip"));
  CHECK(accepts_gzip("*"));
  CHECK(accepts_gzip("br ; q=1, *;q=0.1"));
  CHECK_FALSE(accepts_gzip(""));
  CHECK_FALSE(accepts_gzip("identity"));
  CHECK_FALSE(accepts_gzip("deflate, br"));
  CHECK_FALSE(accepts_gzip("gzip;q=0"));
  CHECK_FALSE(accepts_gzip("gzip; q=0.0, *"));  // named outright: "*" does not bring it back
  CHECK_FALSE(accepts_gzip("*;q=0"));
  CHECK_FALSE(accepts_gzip("gzipped"));
}
