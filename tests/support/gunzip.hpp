// What a scraper does with a gzip body: zlib's inflate, told to expect a gzip header, which checks
// the trailer's CRC-32 and size too. Throws std::runtime_error where the body is not valid gzip.
#pragma once

#include <zlib.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace enumwatch::test {

inline std::string gunzip(const std::string& data) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2 failed");
  const std::unique_ptr<z_stream, int (*)(z_stream*)> end(&stream, inflateEnd);
  std::string out(data.size() * 4 + 1024, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  for (;;) {
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + stream.total_out);
    stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
    const int rc = inflate(&stream, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && !(rc == Z_BUF_ERROR && stream.avail_out == 0))
      throw std::runtime_error(std::string("not valid gzip: ") + (stream.msg ? stream.msg : "?"));
    if (stream.avail_out == 0)
      out.resize(out.size() * 2);
    else if (stream.avail_in == 0)
      throw std::runtime_error("not valid gzip: the body ends early");
  }
  if (stream.avail_in != 0) throw std::runtime_error("not valid gzip: bytes after the trailer");
  out.resize(stream.total_out);
  return out;
}

}  // namespace enumwatch::test
