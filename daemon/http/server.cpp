#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <list>
#include <map>
#include <sstream>
#include <type_traits>

#include "enumwatch/config/http_url.hpp"
#include "enumwatch/core/error.hpp"
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

// The bytes of a canned answer, serialized once: the flood's answers are written with one
// non-blocking send (say_and_close), not through Beast's serializer.
std::string rendered(const HttpResponse& res) {
  std::ostringstream out;
  out << res;
  return std::move(out).str();
}

// Writes `bytes` on a plain socket at once and ends the sending side. A few hundred bytes always
// fit in the send buffer of a connection that has written nothing yet, so the non-blocking send
// never waits: under a flood, a refusal or an eviction costs one system call, not a coroutine
// and a trip through the reactor (docs/reliability.md, "A flood of connections"). A send that
// fails (the peer is gone) leaves nothing to do.
void say_and_close(tcp::socket& socket, std::string_view bytes) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  socket.send(asio::buffer(bytes.data(), bytes.size()), 0, ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace

namespace {

std::string lower_without_dot(std::string_view host) {
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (out.ends_with('.')) out.pop_back();  // "localhost." is localhost
  return out;
}

}  // namespace

std::string host_of(std::string_view text) {
  if (text.find("://") != std::string_view::npos) {
    try {
      return lower_without_dot(parse_http_url(text).host);
    } catch (const Error&) {
      return {};  // config validation reports it; here it names nothing
    }
  }
  const auto authority = boost::urls::parse_authority(text);
  if (!authority) return {};
  if (authority->host_type() == boost::urls::host_type::ipv6)
    return authority->host_ipv6_address().to_string();
  return lower_without_dot(authority->host_address());
}

std::optional<std::string> host_header_name(std::string_view value) {
  // RFC 9110 section 7.2: Host = uri-host [ ":" port ], uri-host an IP-literal in brackets, an
  // IPv4 address or a name; RFC 3986's authority grammar (Boost.URL) without user info. A zone
  // id, IPvFuture, percent-encoding or other sub-delims in a name are refused: no browser sends
  // them, and each is a way to make two spellings of one host.
  const auto authority = boost::urls::parse_authority(value);
  if (!authority || authority->has_userinfo()) return std::nullopt;
  if (authority->has_port() && authority->port().size() > 5) return std::nullopt;
  switch (authority->host_type()) {
    case boost::urls::host_type::ipv4:
      return authority->host_ipv4_address().to_string();
    case boost::urls::host_type::ipv6:
      return authority->host_ipv6_address().to_string();
    case boost::urls::host_type::name: {
      const std::string_view name = authority->encoded_host();
      if (!is_host_name(name)) return std::nullopt;
      auto out = lower_without_dot(name);
      if (out.empty()) return std::nullopt;
      return out;
    }
    default:
      return std::nullopt;
  }
}

HostCheck check_host(std::string_view host_header, const asio::ip::address& listen,
                     std::span<const std::string> hosts) {
  const auto name = host_header_name(host_header);
  if (!name) return HostCheck::malformed;
  if (*name == "localhost") return HostCheck::allowed;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(*name, ec);
  const bool is_address = !ec;
  if (is_address && (address.is_loopback() || address == listen)) return HostCheck::allowed;
  const bool named = std::any_of(hosts.begin(), hosts.end(), [&](const std::string& other) {
    if (other.empty()) return false;
    if (is_address) {  // "[0:0::1]" and "::1" are one address
      boost::system::error_code other_ec;
      const auto other_address = asio::ip::make_address(other, other_ec);
      if (!other_ec) return other_address == address;
    }
    return other == *name;
  });
  return named ? HostCheck::allowed : HostCheck::foreign;
}

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, HttpHandler h, HttpBodyPolicy b, InternalErrorCounter count,
       HttpLimits l)
      : executor(ex),
        acceptor(ex),
        handler(std::move(h)),
        wants_body(std::move(b)),
        count_internal_error(std::move(count)),
        limits(l) {}

  static std::string refusal_bytes(std::string_view reason) {
    auto res = plain(http::status::service_unavailable, std::string(reason), 11);
    res.set(http::field::retry_after, "1");
    return rendered(res);
  }

  // A connection's slot, counted in all and for its client while it lives, and its place in the
  // line of idle connections (waiting for a request, or a TLS handshake) that are closed, oldest
  // first, when a newcomer finds no slot.
  class Connection {
   public:
    Connection(Impl& server, asio::ip::address client)
        : server_(server), client_(std::move(client)) {
      ++server_.active;
      ++server_.per_client[client_];
    }
    ~Connection() {
      busy();
      release();
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // From now until busy(), this connection has no request in hand: evict() may call `cancel`
    // (which must end the pending read or handshake) to make room.
    void idle(std::function<void()> cancel, std::function<bool()> request_waiting) {
      busy();
      cancel_ = std::move(cancel);
      request_waiting_ = std::move(request_waiting);
      place_ = server_.idle.insert(server_.idle.end(), this);
    }
    void busy() {
      if (!place_) return;
      server_.idle.erase(*place_);
      place_.reset();
      cancel_ = nullptr;
      request_waiting_ = nullptr;
    }
    // Gives up the slot at once, so that the newcomer takes it while this one says goodbye.
    void evict() {
      auto cancel = std::move(cancel_);
      busy();
      release();
      evicted_ = true;
      if (cancel) cancel();
    }
    [[nodiscard]] bool evicted() const { return evicted_; }
    // Bytes have arrived that it has not read yet: a client that sent its request at once (a
    // probe) and is about to be served, not one holding a slot idle.
    [[nodiscard]] bool request_waiting() const { return request_waiting_ && request_waiting_(); }
    [[nodiscard]] const asio::ip::address& client() const { return client_; }

   private:
    void release() {
      if (!counted_) return;
      counted_ = false;
      --server_.active;
      if (--server_.per_client[client_] == 0) server_.per_client.erase(client_);
    }

    Impl& server_;
    asio::ip::address client_;
    bool counted_ = true;
    bool evicted_ = false;
    std::optional<std::list<Connection*>::iterator> place_;
    std::function<void()> cancel_;
    std::function<bool()> request_waiting_;
  };

  // Marks a connection idle for as long as it lives (one read of a request's headers).
  class IdleWhile {
   public:
    template <typename Stream>
    IdleWhile(Connection& connection, Stream& stream, std::string_view farewell)
        : connection_(connection) {
      // The non-throwing cancel: eviction runs inside the accept loop. A plain connection is
      // told why at once (`farewell`); a TLS one is told by serve(), through its TLS layer.
      connection_.idle(
          [&stream, farewell] {
            boost::system::error_code ec;
            auto& socket = beast::get_lowest_layer(stream).socket();
            if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
              say_and_close(socket, farewell);
            } else {
              (void)farewell;
            }
            socket.cancel(ec);
          },
          [&stream] {
            boost::system::error_code ec;
            return beast::get_lowest_layer(stream).socket().available(ec) > 0;
          });
    }
    ~IdleWhile() { connection_.busy(); }
    IdleWhile(const IdleWhile&) = delete;
    IdleWhile& operator=(const IdleWhile&) = delete;

   private:
    Connection& connection_;
  };

  // Closes the connection that has waited longest without a request, of `client` (or of anyone
  // when null), passing over those whose request has arrived unread. False when there is none:
  // every connection is busy answering or about to.
  bool evict_oldest_idle(const asio::ip::address* client) {
    for (Connection* connection : idle) {
      if (client && connection->client() != *client) continue;
      if (connection->request_waiting()) continue;
      connection->evict();
      return true;
    }
    return false;
  }

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
          // No slot: the oldest idle connection of this client (over its cap) or of anyone (all
          // taken) makes room. A flood thus ends its own oldest sockets, never a probe that sends
          // its request at once; only when all are busy answering is the newcomer refused.
          const auto it = per_client.find(client);
          const bool client_full =
              it != per_client.end() && it->second >= limits.max_connections_per_client;
          const bool full = !client_full && active >= limits.max_connections;
          if ((client_full && !evict_oldest_idle(&client)) ||
              (full && !evict_oldest_idle(nullptr))) {
            // Say so rather than close in silence, but never wait on it: refuse and move on.
            // (A TLS client would need a handshake first: it is closed at once instead.)
            if (!tls) say_and_close(socket, full ? refused_full : refused_client_full);
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

  asio::awaitable<void> plain_session(tcp::socket socket, asio::ip::address client) {
    auto self = shared_from_this();
    Connection connection(*this, std::move(client));
    beast::tcp_stream stream(std::move(socket));
    co_await serve(stream, connection);
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  asio::awaitable<void> tls_session(tcp::socket socket, asio::ip::address client,
                                    std::shared_ptr<asio::ssl::context> context) {
    auto self = shared_from_this();
    Connection connection(*this, std::move(client));
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *context);
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).expires_after(limits.header_timeout);
    {
      IdleWhile idle(connection, stream, evicted);
      co_await stream.async_handshake(asio::ssl::stream_base::server,
                                      asio::redirect_error(asio::use_awaitable, ec));
    }
    // Not TLS, no client certificate, a stalled handshake, evicted: nothing to answer.
    if (ec || connection.evicted()) co_return;
    co_await serve(stream, connection);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  }

  // Requests on one connection until it closes, plain or TLS.
  template <typename Stream>
  asio::awaitable<void> serve(Stream& stream, Connection& connection) {
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
      parser.body_limit(limits.max_body_bytes);
      // Headers must arrive quickly (slowloris), and an idle keep-alive ends as fast.
      beast::get_lowest_layer(stream).expires_after(limits.header_timeout);
      {
        IdleWhile idle(connection, stream, evicted);
        co_await http::async_read_header(stream, buffer, parser,
                                         asio::redirect_error(asio::use_awaitable, ec));
      }
      if (connection.evicted()) {  // its slot went to a newcomer: say why, if that costs nothing
        // A plain connection was told at eviction (IdleWhile).
        if (!std::is_same_v<Stream, beast::tcp_stream> && refusing < limits.max_connections) {
          ++refusing;
          co_await send_and_close(stream, http::status::service_unavailable,
                                  std::string(kEvictedReason), std::chrono::seconds(1));
          --refusing;
        }
        break;
      }
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
      // DNS rebinding (docs/security.md, "DNS rebinding"): a page elsewhere that got its name to
      // resolve to 127.0.0.1 still sends that name in Host, so a loopback listener answers only
      // requests for its own names. Checked before any route, token or body.
      if (on_loopback) {
        const auto host = check_host_of(parser.get());
        if (host == HostCheck::malformed) {
          co_await send_and_close(stream, http::status::bad_request,
                                  "the Host header is malformed or repeated: send one Host, "
                                  "host or host:port (an IPv6 address in brackets)\n");
          break;
        }
        if (host == HostCheck::foreign) {
          co_await send_and_close(stream, http::status::misdirected_request,
                                  "this listener is on loopback and answers only requests for "
                                  "localhost, a loopback address, daemon.listen's host or "
                                  "alerting.external_url's host (DNS rebinding defence): see "
                                  "docs/http-api.md, \"Host header\"\n");
          break;
        }
      }
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
      HttpStreamOpening opened;
      if (stream_opener) {
        try {
          opened = stream_opener(request, connection.client());
        } catch (...) {
          report_internal_error(count_internal_error, "http", std::current_exception());
        }
        if (auto* opened_stream = std::get_if<HttpStream>(&opened)) {
          co_await write_stream(stream, *opened_stream, request.version());
          break;
        }
      }
      HttpResponse response;
      bool failed = false;
      if (auto* refusal = std::get_if<HttpResponse>(&opened)) {
        response = std::move(*refusal);
      } else {
        try {
          response = co_await handler(request);
        } catch (...) {
          report_internal_error(count_internal_error, "http", std::current_exception());
          failed = true;
        }
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
      const std::shared_ptr<const std::string> chunk = co_await opened.next();
      if (!chunk) break;
      beast::get_lowest_layer(stream).expires_after(limits.request_timeout);
      co_await asio::async_write(stream, asio::buffer(*chunk),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  template <typename Stream>
  asio::awaitable<void> send_and_close(Stream& stream, http::status status, std::string body,
                                       std::optional<std::chrono::seconds> timeout = {}) {
    auto res = plain(status, std::move(body), 11);
    beast::get_lowest_layer(stream).expires_after(timeout.value_or(limits.request_timeout));
    boost::system::error_code ec;
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  }

  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  HttpHandler handler;
  HttpBodyPolicy wants_body;
  InternalErrorCounter count_internal_error;
  HttpLimits limits;
  // One Host header naming one of ours (check_host); none at all (HTTP/1.0) is let through: a
  // browser, the only client DNS rebinding can steer, always sends one.
  [[nodiscard]] HostCheck check_host_of(const HttpRequest& headers) const {
    const auto count = headers.count(http::field::host);
    if (count == 0) return HostCheck::allowed;
    if (count > 1) return HostCheck::malformed;
    const auto host = headers[http::field::host];
    return check_host(std::string_view(host.data(), host.size()), listen_address, allowed_hosts);
  }

  std::shared_ptr<asio::ssl::context> tls;  // null: plain HTTP
  HttpStreamOpener stream_opener;
  asio::ip::address listen_address;
  bool on_loopback = false;  // Host is checked (DNS rebinding) only then
  std::vector<std::string> allowed_hosts;
  int active = 0;
  int refusing = 0;  // TLS connections being told they were evicted
  static constexpr std::string_view kEvictedReason =
      "too many connections: this one had sent no request for the longest\n";
  const std::string evicted =
      rendered(plain(http::status::service_unavailable, std::string(kEvictedReason), 11));
  const std::string refused_full = refusal_bytes("too many connections\n");
  const std::string refused_client_full = refusal_bytes("too many connections from your address\n");
  std::map<asio::ip::address, int> per_client;
  std::list<Connection*> idle;  // oldest first
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
  impl_->listen_address = acceptor.local_endpoint().address();
  impl_->on_loopback = impl_->listen_address.is_loopback();
  asio::co_spawn(impl_->executor, impl_->accept_loop(),
                 report_escape(impl_->count_internal_error, "http"));
}

void HttpServer::set_tls(std::shared_ptr<boost::asio::ssl::context> context) {
  impl_->tls = std::move(context);
}

void HttpServer::set_stream_opener(HttpStreamOpener opener) {
  impl_->stream_opener = std::move(opener);
}

void HttpServer::set_allowed_hosts(const std::vector<std::string>& names) {
  // Parsed here, once per start or reload, not once per request.
  impl_->allowed_hosts.clear();
  for (const auto& name : names) impl_->allowed_hosts.push_back(host_of(name));
}

void HttpServer::stop() {
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

tcp::endpoint HttpServer::local_endpoint() const {
  return impl_->acceptor.local_endpoint();
}

}  // namespace enumwatch
