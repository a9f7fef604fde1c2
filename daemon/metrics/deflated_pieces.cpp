#include "metrics/deflated_pieces.hpp"

#include "enumwatch/core/error.hpp"

namespace enumwatch {

PieceDeflater::PieceDeflater() {
  // windowBits -15: raw deflate, with no zlib or gzip wrapper of its own.
  if (deflateInit2(&stream_, Z_BEST_SPEED, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error("gzip: zlib could not start a stream");
}

PieceDeflater::~PieceDeflater() {
  deflateEnd(&stream_);
}

DeflatedPiece PieceDeflater::deflate(std::string_view text) {
  // A reset forgets the previous piece's window: no reference leaves the piece.
  if (deflateReset(&stream_) != Z_OK) throw Error("gzip: zlib could not reset its stream");
  DeflatedPiece piece;
  piece.size = text.size();
  piece.crc =
      crc32_z(crc32_z(0, nullptr, 0), reinterpret_cast<const Bytef*>(text.data()), text.size());
  // The exposition compresses about 17:1; the room grows when a piece compresses worse.
  piece.bytes.resize(text.size() / 8 + 64);
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream_.avail_in = static_cast<uInt>(text.size());
  for (;;) {
    stream_.next_out = reinterpret_cast<Bytef*>(piece.bytes.data() + stream_.total_out);
    stream_.avail_out = static_cast<uInt>(piece.bytes.size() - stream_.total_out);
    const int status = ::deflate(&stream_, Z_SYNC_FLUSH);
    if (status != Z_OK && status != Z_BUF_ERROR) throw Error("gzip: zlib could not compress");
    // Done when the input is taken and the flush fit: deflate left room in the output.
    if (stream_.avail_in == 0 && stream_.avail_out > 0) break;
    piece.bytes.resize(piece.bytes.size() * 2);
  }
  piece.bytes.resize(stream_.total_out);
  piece.bytes.shrink_to_fit();
  return piece;
}

GzipAssembler::GzipAssembler() : crc_(crc32_z(0, nullptr, 0)) {
  // ID1 ID2, deflate, no flags, no modification time, no extra flags, OS unknown (255).
  out_.assign("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
}

void GzipAssembler::add(const DeflatedPiece& piece) {
  out_ += piece.bytes;
  crc_ = crc32_combine(crc_, piece.crc, static_cast<z_off_t>(piece.size));
  size_ += piece.size;
}

std::string GzipAssembler::finish() {
  // An empty final block with fixed codes: BFINAL 1, BTYPE 01, the end-of-block code 0000000.
  out_.append("\x03\x00", 2);
  const auto put32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_ += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  put32(static_cast<std::uint32_t>(crc_));
  put32(static_cast<std::uint32_t>(size_ & 0xffffffffu));  // ISIZE: the size modulo 2^32
  return std::move(out_);
}

}  // namespace enumwatch
