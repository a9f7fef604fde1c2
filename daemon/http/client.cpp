#include "http/client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>

#include "enumwatch/core/error.hpp"

namespace enumwatch {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// One request and its answer over an open stream, plain or TLS.
template <typename Stream>
asio::awaitable<HttpAnswer> exchange(Stream& stream, const HttpUrl& url, HttpCall& call,
                                     const std::string& where) {
  boost::system::error_code ec;
  http::request<http::string_body> request{call.method, call.target, 11};
  const std::string named = url.redacted();  // scheme://host:port, IPv6 in brackets
  request.set(http::field::host, named.substr(named.find("://") + 3));
  request.set(http::field::user_agent, "enumwatch");
  if (!call.content_type.empty()) request.set(http::field::content_type, call.content_type);
  if (!call.bearer_token.empty()) {
    request.set(http::field::authorization, "Bearer " + call.bearer_token);
  } else if (url.has_userinfo) {
    request.set(http::field::authorization, url.basic_authorization());
  }
  request.body() = std::move(call.body);
  request.prepare_payload();
  co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) throw Error("sending to " + where + ": " + ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1024 * 1024);
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  // A server that ends its answer by closing the connection without TLS's close_notify (many
  // small webhook servers) leaves a "truncated" stream: the status line is all we need.
  const bool closed_early = ec == asio::ssl::error::stream_truncated && parser.is_header_done();
  if (ec && !closed_early) throw Error("reading the answer of " + where + ": " + ec.message());
  auto response = parser.release();
  co_return HttpAnswer{response.result_int(), std::move(response.body())};
}

std::string ssl_reason(const boost::system::error_code& ec) {
  std::string reason = ec.message();
  if (ec.category() == asio::error::get_ssl_category()) {
    if (const char* lib = ERR_reason_error_string(static_cast<unsigned long>(ec.value())))
      reason = lib;
  }
  return reason;
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_client_tls(const TlsClientSettings& tls) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  context->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                       asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  if (tls.ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(tls.ca_file, ec);
  }
  if (ec) throw Error("tls_ca_file " + tls.ca_file + ": cannot load: " + ssl_reason(ec));
  if (!tls.cert_file.empty()) {
    context->use_certificate_chain_file(tls.cert_file, ec);
    if (ec) throw Error("tls_cert_file " + tls.cert_file + ": cannot load: " + ssl_reason(ec));
    context->use_private_key_file(tls.key_file, asio::ssl::context::pem, ec);
    if (ec) throw Error("tls_key_file " + tls.key_file + ": cannot load: " + ssl_reason(ec));
  }
  context->set_verify_mode(asio::ssl::verify_peer);
  return context;
}

asio::awaitable<HttpAnswer> http_call(asio::any_io_executor executor, const HttpUrl& url,
                                      HttpCall call) {
  const std::string where = url.redacted();
  boost::system::error_code ec;
  asio::steady_timer resolve_deadline(executor, call.timeout);
  asio::ip::tcp::resolver resolver(executor);
  resolve_deadline.async_wait([&resolver](boost::system::error_code e) {
    if (!e) resolver.cancel();
  });
  auto results = co_await resolver.async_resolve(url.host, url.port,
                                                 asio::redirect_error(asio::use_awaitable, ec));
  resolve_deadline.cancel();
  if (ec) throw Error("resolving " + where + ": " + ec.message());

  if (!url.tls) {
    beast::tcp_stream stream(executor);
    stream.expires_after(call.timeout);
    co_await stream.async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) throw Error("connecting to " + where + ": " + ec.message());
    HttpAnswer answer = co_await exchange(stream, url, call, where);
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    co_return answer;
  }

  const auto context = call.tls ? call.tls : make_client_tls({});
  beast::ssl_stream<beast::tcp_stream> stream(executor, *context);
  beast::get_lowest_layer(stream).expires_after(call.timeout);
  boost::system::error_code parse_ec;
  const bool literal = (asio::ip::make_address(url.host, parse_ec), !parse_ec);
  // SNI for names; the certificate must name the host (a DNS name, or an IP address SAN).
  if (!literal) SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
  stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  co_await beast::get_lowest_layer(stream).async_connect(
      results, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) throw Error("connecting to " + where + ": " + ec.message());
  co_await stream.async_handshake(asio::ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) throw Error("TLS handshake with " + where + " failed: " + ssl_reason(ec));
  HttpAnswer answer = co_await exchange(stream, url, call, where);
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));  // best effort
  co_return answer;
}

}  // namespace enumwatch
