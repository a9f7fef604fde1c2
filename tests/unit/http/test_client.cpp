#include <doctest/doctest.h>

#include "enumwatch/error.hpp"
#include "http/client.hpp"

using namespace enumwatch;

TEST_CASE("daemon and receiver URLs split into host, port and path") {
  HttpUrl plain = parse_http_url("http://ops-host:9747");
  CHECK(plain.host == "ops-host");
  CHECK(plain.port == "9747");
  CHECK(plain.path == "/");

  HttpUrl proxied = parse_http_url("http://ops-host/enumwatch/");
  CHECK(proxied.port == "80");
  CHECK(proxied.path == "/enumwatch");  // trailing slashes dropped: paths are appended to it

  HttpUrl v6 = parse_http_url("http://[::1]:9093/am");
  CHECK(v6.host == "::1");
  CHECK(v6.port == "9093");
  CHECK(v6.path == "/am");
  CHECK(parse_http_url("http://[::1]").port == "80");
}

TEST_CASE("URLs enumwatch cannot call are errors that say why") {
  auto error_of = [](const std::string& url) {
    try {
      (void)parse_http_url(url);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("ftp://ops-host:9747").find("only http:// and https://") != std::string::npos);
  CHECK(error_of("ops-host:9747").find("only http:// and https://") != std::string::npos);
  const HttpUrl secure = parse_http_url("https://hooks.example/T0KEN");
  CHECK(secure.tls);
  CHECK(secure.port == "443");
  CHECK(secure.path == "/T0KEN");
  CHECK_FALSE(parse_http_url("http://am:9093").tls);
  CHECK(error_of("http://:9747/").find("no host") != std::string::npos);
}

TEST_CASE("a receiver's label keeps scheme, host and port, never credentials, path or query") {
  CHECK(receiver_label("http://127.0.0.1:9093") == "http://127.0.0.1:9093");
  CHECK(receiver_label("https://hooks.example/T0KEN/secret") == "https://hooks.example:443");
  CHECK(receiver_label("http://alerts.example/hook?key=s3cret") == "http://alerts.example:80");
  CHECK(receiver_label("https://user:p%40ss@hooks.example:8443/x") == "https://hooks.example:8443");
  CHECK(receiver_label("http://[::1]:9093/am") == "http://[::1]:9093");
  CHECK(receiver_label("HTTP://Host#frag") == "http://Host:80");
  CHECK(receiver_label("not a url") == "invalid URL");
  CHECK(receiver_label("http://") == "invalid URL");
}

TEST_CASE("a URL's errors never repeat its secrets") {
  auto error_of = [](const std::string& url) {
    try {
      (void)parse_http_url(url);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string error = error_of("ftp://user:hunter2@files.example/path?token=abc");
  CHECK_FALSE(error.empty());
  CHECK(error.find("hunter2") == std::string::npos);
  CHECK(error.find("token") == std::string::npos);
}
