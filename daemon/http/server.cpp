#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <map>

#include "enumwatch/error.hpp"
#include "logging.hpp"

namespace enumwatch {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

HttpResponse plain(http::status status, std::string body, unsigned version) {
  HttpResponse res{status, version};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::move(body);
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, HttpHandler h, HttpBodyPolicy b, InternalErrorCounter count,
       HttpLimits l)
      : executor(ex),
        acceptor(ex),
        handler(std::move(h)),
        wants_body(std::move(b)),
        count_internal_error(std::move(count)),
        limits(l) {}

  // Counts a connection in all and for its client while it lives.
  class Slot {
   public:
    Slot(Impl& server, asio::ip::address client) : server_(server), client_(std::move(client)) {
      ++server_.active;
      ++server_.per_client[client_];
    }
    ~Slot() {
      --server_.active;
      if (--server_.per_client[client_] == 0) server_.per_client.erase(client_);
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    Impl& server_;
    asio::ip::address client_;
  };

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
          const auto client = socket.remote_endpoint(ec).address();
          if (ec) continue;  // already gone
          const bool full = active >= limits.max_connections;
          const auto it = per_client.find(client);
          if (full || (it != per_client.end() && it->second >= limits.max_connections_per_client)) {
            // Say so rather than close in silence, but never wait on it: refuse and move on.
            // (A TLS client would need a handshake first: it is closed at once instead.)
            if (!tls) {
              asio::co_spawn(executor, refuse(std::move(socket), full),
                             report_escape(count_internal_error, "http"));
            }
            continue;
          }
          if (auto context = tls) {  // the context of this moment: a reload swaps it for new ones
            asio::co_spawn(executor, tls_session(std::move(socket), client, std::move(context)),
                           report_escape(count_internal_error, "http"));
          } else {
            asio::co_spawn(executor, plain_session(std::move(socket), client),
                           report_escape(count_internal_error, "http"));
          }
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

  asio::awaitable<void> refuse(tcp::socket socket, bool server_full) {
    auto self = shared_from_this();
    if (refusing >= limits.max_connections) co_return;  // a flood: close without a word
    ++refusing;
    beast::tcp_stream stream(std::move(socket));
    auto res = plain(
        http::status::service_unavailable,
        server_full ? "too many connections\n" : "too many connections from your address\n", 11);
    res.set(http::field::retry_after, "1");
    stream.expires_after(std::chrono::seconds(1));
    boost::system::error_code ec;
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    --refusing;
  }

  asio::awaitable<void> plain_session(tcp::socket socket, asio::ip::address client) {
    auto self = shared_from_this();
    Slot slot(*this, std::move(client));
    beast::tcp_stream stream(std::move(socket));
    co_await serve(stream);
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  asio::awaitable<void> tls_session(tcp::socket socket, asio::ip::address client,
                                    std::shared_ptr<asio::ssl::context> context) {
    auto self = shared_from_this();
    Slot slot(*this, std::move(client));
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *context);
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).expires_after(limits.header_timeout);
    co_await stream.async_handshake(asio::ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;  // not TLS, no client certificate, a stalled handshake: nothing to answer
    co_await serve(stream);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  }

  // Requests on one connection until it closes, plain or TLS.
  template <typename Stream>
  asio::awaitable<void> serve(Stream& stream) {
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
      parser.body_limit(limits.max_body_bytes);
      // Headers must arrive quickly (slowloris), and an idle keep-alive ends as fast.
      beast::get_lowest_layer(stream).expires_after(limits.header_timeout);
      co_await http::async_read_header(stream, buffer, parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
      if (ec == http::error::header_limit) {
        co_await send_and_close(stream, http::status::request_header_fields_too_large,
                                "request headers too large\n");
        break;
      }
      if (ec == http::error::body_limit) {  // Content-Length says it is too large
        co_await send_and_close(stream, http::status::payload_too_large,
                                "request body larger than 1 MiB\n");
        break;
      }
      if (ec) break;  // closed, timed out, or not HTTP
      const bool has_body = !parser.is_done();
      bool body_read = false;
      if (has_body && wants_body && wants_body(parser.get())) {
        beast::get_lowest_layer(stream).expires_after(limits.request_timeout);
        co_await http::async_read(stream, buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
        if (ec == http::error::body_limit) {
          co_await send_and_close(stream, http::status::payload_too_large,
                                  "request body larger than 1 MiB\n");
          break;
        }
        if (ec) break;
        body_read = true;
      }
      HttpRequest request = parser.release();
      if (has_body && !body_read) request.body().clear();
      if (stream_opener) {
        std::optional<HttpStream> opened;
        try {
          opened = stream_opener(request);
        } catch (...) {
          report_internal_error(count_internal_error, "http", std::current_exception());
        }
        if (opened) {
          co_await write_stream(stream, *opened, request.version());
          break;
        }
      }
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
      // A body left unread cannot be skipped safely: answer, then close.
      response.keep_alive(request.keep_alive() && response.keep_alive() && has_body == body_read);
      response.prepare_payload();
      beast::get_lowest_layer(stream).expires_after(limits.request_timeout);
      co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !response.keep_alive()) break;
    }
  }

  template <typename Stream>
  asio::awaitable<void> write_stream(Stream& stream, HttpStream& opened, unsigned version) {
    http::response<http::empty_body> head{opened.head.result(), version};
    for (const auto& field : opened.head) head.set(field.name_string(), field.value());
    head.keep_alive(false);
    http::response_serializer<http::empty_body> serializer(head);
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).expires_after(limits.request_timeout);
    co_await http::async_write_header(stream, serializer,
                                      asio::redirect_error(asio::use_awaitable, ec));
    while (!ec) {
      beast::get_lowest_layer(stream).expires_never();  // a quiet stream is not a stalled one
      auto chunk = co_await opened.next();
      if (!chunk) break;
      beast::get_lowest_layer(stream).expires_after(limits.request_timeout);
      co_await asio::async_write(stream, asio::buffer(*chunk),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  template <typename Stream>
  asio::awaitable<void> send_and_close(Stream& stream, http::status status, std::string body) {
    auto res = plain(status, std::move(body), 11);
    beast::get_lowest_layer(stream).expires_after(limits.request_timeout);
    boost::system::error_code ec;
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  }

  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  HttpHandler handler;
  HttpBodyPolicy wants_body;
  InternalErrorCounter count_internal_error;
  HttpLimits limits;
  std::shared_ptr<asio::ssl::context> tls;  // null: plain HTTP
  HttpStreamOpener stream_opener;
  int active = 0;
  int refusing = 0;
  std::map<asio::ip::address, int> per_client;
};

std::shared_ptr<asio::ssl::context> make_server_tls(const std::string& cert_file,
                                                    const std::string& key_file,
                                                    const std::string& client_ca_file) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) throw Error("daemon.tls_cert_file " + cert_file + ": cannot load: " + ec.message());
  context->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) throw Error("daemon.tls_key_file " + key_file + ": cannot load: " + ec.message());
  if (!client_ca_file.empty()) {
    context->load_verify_file(client_ca_file, ec);
    if (ec) {
      throw Error("daemon.tls_client_ca_file " + client_ca_file + ": cannot load: " + ec.message());
    }
    context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

HttpServer::HttpServer(asio::any_io_executor executor, HttpHandler handler,
                       HttpBodyPolicy wants_body, InternalErrorCounter count_internal_error,
                       HttpLimits limits)
    : impl_(std::make_shared<Impl>(executor, std::move(handler), std::move(wants_body),
                                   std::move(count_internal_error), limits)) {}

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

void HttpServer::set_tls(std::shared_ptr<boost::asio::ssl::context> context) {
  impl_->tls = std::move(context);
}

void HttpServer::set_stream_opener(HttpStreamOpener opener) {
  impl_->stream_opener = std::move(opener);
}

void HttpServer::stop() {
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

tcp::endpoint HttpServer::local_endpoint() const {
  return impl_->acceptor.local_endpoint();
}

}  // namespace enumwatch
