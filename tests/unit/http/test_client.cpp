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
  CHECK(error_of("https://ops-host:9747").find("only http://") != std::string::npos);
  CHECK(error_of("ops-host:9747").find("only http://") != std::string::npos);
  CHECK(error_of("http://:9747/").find("no host") != std::string::npos);
}
