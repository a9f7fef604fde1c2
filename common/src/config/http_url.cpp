#include "enumwatch/config/http_url.hpp"

// Boost.URL has no compiled library in Boost 1.81's packages: its sources are built here, in this
// one translation unit (what boost/url/src.hpp is for).
#include <boost/url/src.hpp>

#include <algorithm>
#include <vector>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/text.hpp"

namespace enumwatch {
namespace urls = boost::urls;

bool is_host_name(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
}

HttpUrl parse_http_url(std::string_view text) {
  // Boost.URL's error messages do not quote the input either; ours say what to fix.
  auto parsed = urls::parse_uri(text);
  if (!parsed) {
    throw Error("not a valid URL (RFC 3986): write http[s]://[user:password@]host[:port][/path]");
  }
  const urls::url_view& u = *parsed;
  // Boost.URL 1.81 reads a host name that begins with an IPv4 address ("127.0.0.1.nip.io") as
  // that address, the rest as a path without its '/': the request would go elsewhere.
  if (u.has_authority() && !u.encoded_path().empty() && u.encoded_path().front() != '/') {
    throw Error(
        "the host name begins with an IPv4 address (as 127.0.0.1.nip.io does), which this "
        "version of Boost.URL misreads as that address: write the address itself or another name");
  }
  HttpUrl out;
  if (u.scheme_id() == urls::scheme::https) {
    out.tls = true;
  } else if (u.scheme_id() != urls::scheme::http) {
    throw Error("only http:// and https:// URLs are supported");
  }
  switch (u.host_type()) {
    case urls::host_type::ipv4:
    case urls::host_type::ipv6:
      out.host = u.host_address();
      break;
    case urls::host_type::name:
      out.host = u.host_address();
      if (out.host.empty()) throw Error("no host in the URL");
      if (!is_host_name(out.host)) {
        throw Error(
            "the host must be a DNS name or an IP address (letters, digits, '-', '.', '_')");
      }
      break;
    default:
      throw Error(u.host_type() == urls::host_type::none || u.encoded_host().empty()
                      ? "no host in the URL"
                      : "IPvFuture hosts are not supported");
  }
  if (u.has_port() && !u.port().empty()) {
    // Boost.URL takes any digits for a port; TCP's are 1 to 65535.
    unsigned long number = 0;
    for (const char c : u.port()) number = number > 65535 ? number : number * 10 + (c - '0');
    if (number == 0 || number > 65535) throw Error("the port must be a number from 1 to 65535");
    out.port = u.port();
  } else {
    out.port = out.tls ? "443" : "80";
  }
  if (u.has_userinfo()) {
    out.has_userinfo = true;
    out.user = u.user();
    out.password = u.password();
  }
  out.path = u.encoded_path().empty() ? std::string("/") : std::string(u.encoded_path());
  while (out.path.size() > 1 && out.path.back() == '/') out.path.pop_back();
  if (u.has_query()) out.query = u.encoded_query();
  return out;
}

std::string HttpUrl::redacted() const {
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "https" : "http") + "://" + (v6 ? "[" + host + "]" : host) + ":" + port;
}

std::string HttpUrl::request_target(std::string_view suffix) const {
  std::string out = suffix.empty() ? path : (path == "/" ? "" : path) + std::string(suffix);
  if (!query.empty()) out += "?" + query;
  return out;
}

std::string HttpUrl::basic_authorization() const {
  if (!has_userinfo) return {};
  return "Basic " + base64_encode(user + ":" + password);
}

std::string HttpUrl::scrub(std::string_view text) const {
  std::vector<std::string> secrets{user, password};
  if (path != "/") {
    secrets.push_back(path);
    if (auto decoded = urls::make_pct_string_view(path)) secrets.push_back(decoded->decode());
  }
  if (!query.empty()) {
    secrets.push_back(query);
    if (auto params = urls::parse_query(query)) {
      for (const auto& param : *params) {
        if (param.has_value) secrets.push_back(param.value.decode());
      }
    }
  }
  // The longest first: a password that holds the user name must not be cut in two.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::string out(text);
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (auto at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 5))
      out.replace(at, secret.size(), "*****");
  }
  return out;
}

std::string redacted_url(std::string_view url) {
  try {
    return parse_http_url(url).redacted();
  } catch (const Error&) {
    return "invalid URL";
  }
}

std::string answer_excerpt(const HttpUrl& url, std::string_view body) {
  std::string scrubbed = url.scrub(body);
  const bool cut = scrubbed.size() > kAnswerExcerptBytes;
  if (cut) scrubbed.resize(kAnswerExcerptBytes);
  return escape_control(scrubbed) + (cut ? "..." : "");
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16 |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    auto n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size())
      n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace enumwatch
