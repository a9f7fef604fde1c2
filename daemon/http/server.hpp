// A small HTTP/1.1 server on the daemon's io_context (Boost.Beast): one coroutine per connection,
// with limits on header and body size, header and request time, and connections in all and per
// client address, so that no client, however slow, many or large, stalls polling or starves a
// well-behaved scraper. When the connections run out, the one that has waited longest without a
// request makes room for the newcomer: a flood of idle or slowloris sockets ends its own oldest,
// and a probe that asks at once (/healthz) is answered. A body is read only when the handler,
// shown the headers, wants it (the route and the token are checked first): nothing is buffered
// for a request that will be refused. On a loopback listener, a Host that is not ours is refused
// (DNS rebinding). What to answer is the handler's business.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "logging.hpp"

namespace enumwatch {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;
using HttpHandler = std::function<boost::asio::awaitable<HttpResponse>(const HttpRequest&)>;
// Shown a request whose body has not been read: true if the handler needs that body. Otherwise
// the handler gets the request with an empty body and the connection closes after the answer.
using HttpBodyPolicy = std::function<bool(const HttpRequest& headers_only)>;

// A response whose body does not end (Server-Sent Events): the server writes `head` without a
// length and with Connection: close, then each chunk `next` yields, until it yields null or the
// client is gone. A chunk is shared, not copied: many streams may send the same one. Between
// chunks no timeout runs; each write has request_timeout.
struct HttpStream {
  HttpResponse head;
  std::function<boost::asio::awaitable<std::shared_ptr<const std::string>>()> next;
};
// Shown a request (without its body) and the client's address: a stream to answer it with, a
// response that refuses one (too many streams), or nothing (monostate) for the handler.
using HttpStreamOpening = std::variant<std::monostate, HttpStream, HttpResponse>;
using HttpStreamOpener =
    std::function<HttpStreamOpening(const HttpRequest&, const boost::asio::ip::address& client)>;

struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;  // docs/http-api.md: snapshot bodies up to 1 MiB
  std::chrono::seconds header_timeout{5};    // a request's headers, and an idle keep-alive
  std::chrono::seconds request_timeout{10};  // to read a body or write a response
  // Slots, in all and per source address. When a newcomer finds none, the oldest connection
  // (of its address, or of anyone when all are taken) that has no request in hand is closed with
  // a 503; only when every connection is busy answering is the newcomer refused (503).
  int max_connections = 256;
  int max_connections_per_client = 32;
};

// DNS rebinding defence, for a listener on a loopback address (docs/http-api.md, "Host
// header"). `host_header` (a Host value: host or host:port, an IPv6 address in brackets) is
// allowed when it names localhost, a loopback address, `listen` (the listener's address) or one of
// `hosts` (as host_of() gives them for daemon.listen and alerting.external_url); the port is not
// compared. Malformed: not host[:port] at all (a path, user info, a zone id, junk).
enum class HostCheck { allowed, malformed, foreign };
[[nodiscard]] HostCheck check_host(std::string_view host_header,
                                   const boost::asio::ip::address& listen,
                                   std::span<const std::string> hosts);
// The host a Host header names, lower case, without a trailing dot ("[::1]:9747" -> "::1",
// "LocalHost.:80" -> "localhost"); nothing when it is malformed.
[[nodiscard]] std::optional<std::string> host_header_name(std::string_view value);
// The host of a URL ("https://a.example:8443/x" -> "a.example"), of host:port ("[::1]:9747" ->
// "::1") or of a bare host, lower case, without a trailing dot. Lenient: for configured values.
[[nodiscard]] std::string host_of(std::string_view url_or_authority);

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
  // Hosts a request may name in Host besides localhost and loopback addresses, when the listener
  // is on loopback (check_host): daemon.listen's and external_url's. Any Host is accepted on
  // other listeners.
  void set_allowed_hosts(const std::vector<std::string>& names);
  void stop();
  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace enumwatch
