#include "http/server.hpp"

#include "logging.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>

namespace enumwatch {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, HttpHandler h, HttpLimits l)
      : executor(ex), acceptor(ex), handler(std::move(h)), limits(l) {}

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (acceptor.is_open()) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted) break;
      if (ec) {
        // Out of descriptors and the like: log once per failure and keep serving.
        spdlog::warn("http: accept failed: {}", ec.message());
        continue;
      }
      if (active >= limits.max_connections) {
        socket.close(ec);  // refuse rather than queue: polling must not wait on HTTP clients
        continue;
      }
      asio::co_spawn(executor, session(std::move(socket)), log_escape("http session"));
    }
  }

  static HttpResponse plain(http::status status, std::string body, unsigned version) {
    HttpResponse res{status, version};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = std::move(body);
    res.keep_alive(false);
    res.prepare_payload();
    return res;
  }

  asio::awaitable<void> session(tcp::socket socket) {
    auto self = shared_from_this();
    ++active;
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
      parser.body_limit(limits.max_body_bytes);
      stream.expires_after(limits.request_timeout);
      co_await http::async_read(stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::body_limit) {
        auto res = plain(http::status::payload_too_large, "request body larger than 1 MiB\n", 11);
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
      if (ec == http::error::header_limit) {
        auto res =
            plain(http::status::request_header_fields_too_large, "request headers too large\n", 11);
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
      if (ec) break;  // closed, timed out, or not HTTP
      HttpRequest request = parser.release();
      HttpResponse response;
      try {
        response = co_await handler(request);
      } catch (const std::exception& e) {
        spdlog::error("http: {} {} failed: {}", std::string(request.method_string()),
                      std::string(request.target()), e.what());
        response =
            plain(http::status::internal_server_error, "internal error\n", request.version());
      }
      response.version(request.version());
      response.keep_alive(request.keep_alive() && response.keep_alive());
      response.prepare_payload();
      stream.expires_after(limits.request_timeout);
      co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !response.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    --active;
  }

  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  HttpHandler handler;
  HttpLimits limits;
  int active = 0;
};

HttpServer::HttpServer(asio::any_io_executor executor, HttpHandler handler, HttpLimits limits)
    : impl_(std::make_shared<Impl>(executor, std::move(handler), limits)) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start(const tcp::endpoint& endpoint) {
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(impl_->executor, impl_->accept_loop(), log_escape("http accept loop"));
}

void HttpServer::stop() {
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

tcp::endpoint HttpServer::local_endpoint() const {
  return impl_->acceptor.local_endpoint();
}

}  // namespace enumwatch
