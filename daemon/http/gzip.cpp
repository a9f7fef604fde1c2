#include "http/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/trim.hpp>
#include <cstdlib>
#include <memory>

#include "enumwatch/core/error.hpp"

namespace enumwatch {

namespace {

// The weight of one Accept-Encoding element ("gzip;q=0.5" -> 0.5); 1 without a q.
double quality(std::string_view parameters) {
  while (!parameters.empty()) {
    const auto semicolon = parameters.find(';');
    std::string parameter(parameters.substr(0, semicolon));
    boost::algorithm::trim(parameter);
    if (boost::algorithm::istarts_with(parameter, "q="))
      return std::strtod(parameter.c_str() + 2, nullptr);
    if (semicolon == std::string_view::npos) break;
    parameters.remove_prefix(semicolon + 1);
  }
  return 1.0;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  bool accepted = false;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const std::string_view element = accept_encoding.substr(0, comma);
    const auto semicolon = element.find(';');
    std::string coding(element.substr(0, semicolon));
    boost::algorithm::trim(coding);
    const double q =
        semicolon == std::string_view::npos ? 1.0 : quality(element.substr(semicolon + 1));
    if (boost::algorithm::iequals(coding, "gzip") || boost::algorithm::iequals(coding, "x-gzip")) {
      return q > 0;  // named outright: its own weight decides, whatever "*" says
    }
    if (coding == "*") accepted = q > 0;
    if (comma == std::string_view::npos) break;
    accept_encoding.remove_prefix(comma + 1);
  }
  return accepted;
}

std::string gzip(std::string_view data) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error("gzip: zlib could not start a stream");
  const std::unique_ptr<z_stream, int (*)(z_stream*)> end(&stream, deflateEnd);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  // The exposition compresses about 17:1 (docs/performance.md). Its bound, deflateBound, is the
  // input's size: 17 MB at 10 000 targets, zeroed and kept for every scrape. Grown as needed.
  std::string out(std::max<std::size_t>(data.size() / 8, 4096), '\0');
  for (;;) {
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + stream.total_out);
    stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
    const int status = deflate(&stream, Z_FINISH);
    if (status == Z_STREAM_END) break;
    if (status != Z_OK && status != Z_BUF_ERROR) throw Error("gzip: zlib could not compress");
    out.resize(out.size() * 2);
  }
  out.resize(stream.total_out);
  out.shrink_to_fit();
  return out;
}

}  // namespace enumwatch
