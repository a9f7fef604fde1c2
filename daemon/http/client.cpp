#include "http/client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>

#include "enumwatch/error.hpp"

namespace enumwatch {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

HttpUrl parse_http_url(const std::string& url) {
  constexpr std::string_view kHttp = "http://";
  if (!url.starts_with(kHttp)) {
    throw Error(receiver_label(url) +
                ": only http:// URLs are supported (put a TLS proxy in front for https)");
  }
  const std::string rest = url.substr(kHttp.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  HttpUrl out;
  out.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  const auto bracket = authority.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = "80";
  }
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  if (out.host.empty() || out.port.empty())
    throw Error(receiver_label(url) + ": no host in the URL");
  while (out.path.size() > 1 && out.path.back() == '/') out.path.pop_back();
  return out;
}

std::string receiver_label(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return "invalid URL";
  std::string scheme(url.substr(0, scheme_end));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1);  // user:password@ never leaves
  if (authority.empty()) return "invalid URL";
  std::string out = scheme + "://" + std::string(authority);
  const auto colon = authority.rfind(':');
  const auto bracket = authority.rfind(']');
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket))
    out += scheme == "https" ? ":443" : ":80";
  return out;
}

asio::awaitable<HttpAnswer> http_call(asio::any_io_executor executor, const HttpUrl& url,
                                      HttpCall call) {
  const std::string where = url.host + ":" + url.port;
  boost::system::error_code ec;
  asio::steady_timer resolve_deadline(executor, call.timeout);
  asio::ip::tcp::resolver resolver(executor);
  resolve_deadline.async_wait([&resolver](boost::system::error_code e) {
    if (!e) resolver.cancel();
  });
  auto results = co_await resolver.async_resolve(url.host, url.port,
                                                 asio::redirect_error(asio::use_awaitable, ec));
  resolve_deadline.cancel();
  if (ec) throw Error("resolving " + url.host + ": " + ec.message());

  beast::tcp_stream stream(executor);
  stream.expires_after(call.timeout);
  co_await stream.async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) throw Error("connecting to " + where + ": " + ec.message());
  http::request<http::string_body> request{call.method, call.target, 11};
  request.set(http::field::host, url.host + ":" + url.port);
  request.set(http::field::user_agent, "enumwatch");
  if (!call.content_type.empty()) request.set(http::field::content_type, call.content_type);
  if (!call.bearer_token.empty())
    request.set(http::field::authorization, "Bearer " + call.bearer_token);
  request.body() = std::move(call.body);
  request.prepare_payload();
  co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) throw Error("sending to " + where + ": " + ec.message());
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  co_await http::async_read(stream, buffer, response,
                            asio::redirect_error(asio::use_awaitable, ec));
  if (ec) throw Error("reading the answer of " + where + ": " + ec.message());
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  co_return HttpAnswer{response.result_int(), std::move(response.body())};
}

}  // namespace enumwatch
