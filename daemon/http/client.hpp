// A minimal HTTP/1.1 client on Beast for the daemon's alert receivers and the pipeline commands
// (register, poll): one request per connection, plain http:// only, a deadline on the whole call.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <string>

namespace enumwatch {

struct HttpUrl {
  std::string host;  // without IPv6 brackets
  std::string port;
  std::string path;  // "/" at least; no trailing slash beyond that
};

// Parses http://host[:port][/path]. Throws Error for other schemes (https: put a TLS proxy in
// front) and for a missing host.
[[nodiscard]] HttpUrl parse_http_url(const std::string& url);

// "scheme://host:port" of a URL, for metric labels and log lines: never its user, password,
// path or query, where receivers keep their secrets (SPEC §7). "invalid URL" when it has no host.
[[nodiscard]] std::string receiver_label(std::string_view url);

struct HttpCall {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target;  // path and query
  std::string body;
  std::string content_type;
  std::string bearer_token;  // sent as Authorization: Bearer when not empty
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

// Throws Error naming the step that failed (resolving, connecting, sending, reading) and the
// host; any HTTP status is an answer, not an error.
[[nodiscard]] boost::asio::awaitable<HttpAnswer> http_call(boost::asio::any_io_executor executor,
                                                           const HttpUrl& url, HttpCall call);

}  // namespace enumwatch
