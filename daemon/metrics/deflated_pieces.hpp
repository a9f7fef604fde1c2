// A gzip body assembled from pieces deflated one by one, so that a piece whose text has not
// changed is reused as it was compressed (docs/design.md, "Metrics rendering").
//
// Each piece is raw deflate (RFC 1951) that refers to nothing outside itself and ends with a sync
// flush, on a byte boundary, in a block that is not the last: such pieces concatenated are one
// deflate stream, as pigz writes them. The gzip member (RFC 1952) around them ends with an empty
// final block, the CRC-32 of the whole text (zlib's crc32_combine of the pieces') and its size.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace enumwatch {

struct DeflatedPiece {
  std::string bytes;     // raw deflate, ending with a sync flush
  uLong crc = 0;         // CRC-32 of the text
  std::size_t size = 0;  // of the text
};

// One zlib stream at its fastest level, reset for each piece. Throws Error if zlib fails.
class PieceDeflater {
 public:
  PieceDeflater();
  ~PieceDeflater();
  PieceDeflater(const PieceDeflater&) = delete;
  PieceDeflater& operator=(const PieceDeflater&) = delete;

  [[nodiscard]] DeflatedPiece deflate(std::string_view text);

 private:
  z_stream stream_{};
};

class GzipAssembler {
 public:
  GzipAssembler();  // the header
  void add(const DeflatedPiece& piece);
  // The final block and the trailer: the whole gzip body.
  [[nodiscard]] std::string finish();

 private:
  std::string out_;
  uLong crc_ = 0;
  std::uint64_t size_ = 0;
};

}  // namespace enumwatch
