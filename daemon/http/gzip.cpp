#include "http/gzip.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/trim.hpp>
#include <cstdlib>
#include <string>

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

}  // namespace enumwatch
