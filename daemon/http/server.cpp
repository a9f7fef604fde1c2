#include "http/server.hpp"

#include "logging.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>

namespace enumwatch {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, HttpHandler h, InternalErrorCounter count, HttpLimits l)
      : executor(ex),
        acceptor(ex),
        handler(std::move(h)),
        count_internal_error(std::move(count)),
        limits(l) {}

  // Ends only when the acceptor is closed. A failed accept (out of descriptors: EMFILE) pauses
  // briefly instead of spinning on the error; anything unexpected is counted and accepting goes on.
  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    asio::steady_timer pause(executor);
    while (acceptor.is_open()) {
      boost::system::error_code ec;
      try {
        tcp::socket socket =
            co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted) break;
        if (!ec) {
          if (active >= limits.max_connections) {
            socket.close(ec);  // refuse rather than queue: polling must not wait on HTTP clients
            continue;
          }
          asio::co_spawn(executor, session(std::move(socket)),
                         report_escape(count_internal_error, "http"));
          continue;
        }
        spdlog::warn("http: accept failed: {}; pausing accepts for 100 ms", ec.message());
      } catch (...) {
        report_internal_error(count_internal_error, "http", std::current_exception());
      }
      pause.expires_after(std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
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
      bool failed = false;
      try {
        response = co_await handler(request);
      } catch (...) {
        report_internal_error(count_internal_error, "http", std::current_exception());
        failed = true;
      }
      if (failed) {
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
  InternalErrorCounter count_internal_error;
  HttpLimits limits;
  int active = 0;
};

HttpServer::HttpServer(asio::any_io_executor executor, HttpHandler handler,
                       InternalErrorCounter count_internal_error, HttpLimits limits)
    : impl_(std::make_shared<Impl>(executor, std::move(handler), std::move(count_internal_error),
                                   limits)) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start(const tcp::endpoint& endpoint) {
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(impl_->executor, impl_->accept_loop(),
                 report_escape(impl_->count_internal_error, "http"));
}

void HttpServer::stop() {
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

tcp::endpoint HttpServer::local_endpoint() const {
  return impl_->acceptor.local_endpoint();
}

}  // namespace enumwatch
