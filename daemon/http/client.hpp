// A minimal HTTP/1.1 client on Beast for the daemon's alert receivers and the pipeline commands
// (register, poll): one request per connection, http:// or https:// (OpenSSL: the system's CAs or
// a CA file, host name verification, an optional client certificate), a deadline on the whole
// call. A URL's userinfo is sent as HTTP Basic credentials; URLs are parsed by parse_http_url
// (common/) and named only by their redacted form (docs/security.md).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "enumwatch/config/http_url.hpp"

namespace enumwatch {

// For https://: whom to trust and who we are. Empty ca_file: the system's CA store (OpenSSL's
// default paths, which SSL_CERT_FILE and SSL_CERT_DIR override).
struct TlsClientSettings {
  std::string ca_file;
  std::string cert_file;  // with key_file: a client certificate, for receivers that require one
  std::string key_file;
  bool operator==(const TlsClientSettings&) const = default;
};

// The client TLS context for https:// calls: the CA file (or the system's store) and the client
// certificate, loaded once; throws Error naming the file that does not load.
[[nodiscard]] std::shared_ptr<boost::asio::ssl::context> make_client_tls(
    const TlsClientSettings& tls);

struct HttpCall {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target;  // path and query: HttpUrl::request_target()
  std::string body;
  std::string content_type;
  std::string bearer_token;  // sent as Authorization: Bearer when not empty, else the URL's
                             // userinfo as Basic
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  // For https://: made once by make_client_tls and shared by every call (loading CA and
  // certificate files per call would be file I/O on the event loop). Null: the system's CAs.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

// Throws Error naming the step that failed (resolving, connecting, sending, reading) and the
// URL's redacted form, never its userinfo, path or query; any HTTP status is an answer, not an
// error.
[[nodiscard]] boost::asio::awaitable<HttpAnswer> http_call(boost::asio::any_io_executor executor,
                                                           const HttpUrl& url, HttpCall call);

}  // namespace enumwatch
