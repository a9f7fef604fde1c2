// A small HTTP/1.1 server on the daemon's io_context (Boost.Beast): one coroutine per connection,
// with limits on header and body size, per-request time and concurrent connections, so that a bad
// client cannot stall polling. What to answer is the handler's business.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "logging.hpp"

namespace enumwatch {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;
using HttpHandler = std::function<boost::asio::awaitable<HttpResponse>(const HttpRequest&)>;

struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;  // SPEC §6: snapshot bodies up to 1 MiB
  std::chrono::seconds request_timeout{10};  // to read a request or write a response
  int max_connections = 64;
};

class HttpServer {
 public:
  HttpServer(boost::asio::any_io_executor executor, HttpHandler handler,
             InternalErrorCounter count_internal_error, HttpLimits limits = {});
  ~HttpServer();

  // Binds and listens (throws boost::system::system_error), then accepts in the background.
  void start(const boost::asio::ip::tcp::endpoint& endpoint);
  void stop();
  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace enumwatch
