// A small HTTP/1.1 server on the daemon's io_context (Boost.Beast): one coroutine per connection,
// with limits on header and body size, header and request time, and connections in all and per
// client address, so that no client, however slow, many or large, stalls polling or starves a
// well-behaved scraper. A body is read only when the handler, shown the headers, wants it (the
// route and the token are checked first): nothing is buffered for a request that will be
// refused. What to answer is the handler's business.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "logging.hpp"

namespace enumwatch {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;
using HttpHandler = std::function<boost::asio::awaitable<HttpResponse>(const HttpRequest&)>;
// Shown a request whose body has not been read: true if the handler needs that body. Otherwise
// the handler gets the request with an empty body and the connection closes after the answer.
using HttpBodyPolicy = std::function<bool(const HttpRequest& headers_only)>;

// A response whose body does not end (Server-Sent Events): the server writes `head` without a
// length and with Connection: close, then each chunk `next` yields, until it yields nothing or
// the client is gone. Between chunks no timeout runs; each write has request_timeout.
struct HttpStream {
  HttpResponse head;
  std::function<boost::asio::awaitable<std::optional<std::string>>()> next;
};
// Shown a request (without its body): a stream to answer it with, or nothing for the handler.
using HttpStreamOpener = std::function<std::optional<HttpStream>(const HttpRequest&)>;

struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;  // SPEC §6: snapshot bodies up to 1 MiB
  std::chrono::seconds header_timeout{5};    // a request's headers, and an idle keep-alive
  std::chrono::seconds request_timeout{10};  // to read a body or write a response
  int max_connections = 256;
  int max_connections_per_client = 32;  // per source address
};

// The listener's TLS context from PEM files: TLS 1.2 or later; with a client CA file, clients
// must present a certificate it signed. Throws Error naming the file that does not load.
[[nodiscard]] std::shared_ptr<boost::asio::ssl::context> make_server_tls(
    const std::string& cert_file, const std::string& key_file, const std::string& client_ca_file);

class HttpServer {
 public:
  HttpServer(boost::asio::any_io_executor executor, HttpHandler handler, HttpBodyPolicy wants_body,
             InternalErrorCounter count_internal_error, HttpLimits limits = {});
  ~HttpServer();

  // Binds and listens (throws boost::system::system_error), then accepts in the background.
  void start(const boost::asio::ip::tcp::endpoint& endpoint);
  // Serve HTTPS on new connections with this context (null: plain HTTP). Connections already
  // open keep theirs: certificates rotate on reload without dropping anyone.
  void set_tls(std::shared_ptr<boost::asio::ssl::context> context);
  void set_stream_opener(HttpStreamOpener opener);
  void stop();
  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace enumwatch
