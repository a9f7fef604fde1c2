#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gunzip.hpp"
#include "metrics/deflated_pieces.hpp"

using namespace enumwatch;
using enumwatch::test::gunzip;

namespace {

std::string exposition_lines(int from, int to) {
  std::string text;
  for (int i = from; i < to; ++i)
    text += "enumwatch_up{target=\"tenant-" + std::to_string(i) + "\"} 1\n";
  return text;
}

// Label values are anyone's bytes: a piece may compress far worse than the exposition's 17:1.
std::string noise(std::size_t size) {
  std::string out;
  std::uint32_t state = 2463534242u;
  while (out.size() < size) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    out += static_cast<char>(state & 0xff);
  }
  return out;
}

}  // namespace

TEST_CASE("pieces deflated apart and assembled are one gzip body of their text, in order") {
  PieceDeflater deflater;
  const std::vector<std::string> texts{exposition_lines(0, 2000), "", noise(300'000),
                                       exposition_lines(2000, 2100), "# the end\n"};
  GzipAssembler gzip;
  std::string whole;
  for (const auto& text : texts) {
    gzip.add(deflater.deflate(text));
    whole += text;
  }
  const std::string body = gzip.finish();
  CHECK(body.substr(0, 2) == "\x1f\x8b");  // the gzip magic: not raw deflate, not zlib
  // inflate checks the trailer: the CRC-32 combined from the pieces' and the size.
  CHECK(gunzip(body) == whole);
}

TEST_CASE("a piece is the same bytes whenever its text is, whatever was deflated before") {
  PieceDeflater deflater;
  const std::string text = exposition_lines(0, 500);
  const DeflatedPiece first = deflater.deflate(text);
  (void)deflater.deflate(exposition_lines(0, 400));  // a window that would share most of it
  const DeflatedPiece again = deflater.deflate(text);
  CHECK(first.bytes == again.bytes);
  CHECK(first.bytes.size() * 10 < text.size());
  // Reused in another body, after other pieces, it still reads back.
  GzipAssembler gzip;
  gzip.add(deflater.deflate("# before\n"));
  gzip.add(again);
  CHECK(gunzip(gzip.finish()) == "# before\n" + text);
}

TEST_CASE("a body of no pieces, or of empty ones, is valid gzip of nothing") {
  CHECK(gunzip(GzipAssembler().finish()).empty());
  PieceDeflater deflater;
  GzipAssembler gzip;
  gzip.add(deflater.deflate(""));
  gzip.add(deflater.deflate(""));
  CHECK(gunzip(gzip.finish()).empty());
}

TEST_CASE("a piece that does not compress keeps its bytes, and no slack") {
  PieceDeflater deflater;
  const std::string text = noise(100'000);
  const DeflatedPiece piece = deflater.deflate(text);
  CHECK(piece.bytes.size() > text.size());  // stored blocks: a few bytes more, never fewer
  CHECK(piece.bytes.capacity() < piece.bytes.size() + 64);
  GzipAssembler gzip;
  gzip.add(piece);
  CHECK(gunzip(gzip.finish()) == text);
}
