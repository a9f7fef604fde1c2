#include <doctest/doctest.h>

#include "enumwatch/config/http_url.hpp"
#include "enumwatch/core/error.hpp"

using namespace enumwatch;

TEST_CASE("http URLs parse into host, port, path and query, with default ports") {
  const HttpUrl plain = parse_http_url("http://ops-host:9747");
  CHECK_FALSE(plain.tls);
  CHECK(plain.host == "ops-host");
  CHECK(plain.port == "9747");
  CHECK(plain.path == "/");
  CHECK(plain.query.empty());
  CHECK_FALSE(plain.has_userinfo);
  CHECK(plain.request_target() == "/");

  const HttpUrl proxied = parse_http_url("https://ops-host/enumwatch/");
  CHECK(proxied.tls);
  CHECK(proxied.port == "443");
  CHECK(proxied.path == "/enumwatch");
  CHECK(proxied.request_target("/api/v2/alerts") == "/enumwatch/api/v2/alerts");
  CHECK(plain.request_target("/api/v2/alerts") == "/api/v2/alerts");

  const HttpUrl v6 = parse_http_url("http://[::1]:9093/am");
  CHECK(v6.host == "::1");
  CHECK(v6.port == "9093");
  CHECK(parse_http_url("http://[::1]").port == "80");
  CHECK(parse_http_url("HTTP://Host#frag").host == "Host");
}

TEST_CASE("the query is kept for the request line, behind the Alertmanager API path too") {
  const HttpUrl u = parse_http_url("http://am.example:9093/base?token=SECRET&x=1#frag");
  CHECK(u.path == "/base");
  CHECK(u.query == "token=SECRET&x=1");
  CHECK(u.request_target() == "/base?token=SECRET&x=1");
  CHECK(u.request_target("/api/v2/alerts") == "/base/api/v2/alerts?token=SECRET&x=1");
  CHECK(parse_http_url("http://h?q=1").request_target() == "/?q=1");
}

TEST_CASE("userinfo becomes HTTP Basic credentials, percent-decoded, and leaves the host") {
  const HttpUrl u = parse_http_url("http://alerts:PW%40x%3Ay@hooks.example/hook");
  CHECK(u.host == "hooks.example");
  CHECK(u.has_userinfo);
  CHECK(u.user == "alerts");
  CHECK(u.password == "PW@x:y");
  // base64("alerts:PW@x:y")
  CHECK(u.basic_authorization() == "Basic YWxlcnRzOlBXQHg6eQ==");
  CHECK(parse_http_url("http://token@h/").basic_authorization() == "Basic dG9rZW46");
  CHECK(parse_http_url("http://h/").basic_authorization().empty());
}

TEST_CASE("base64 pads as RFC 4648 says") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode("\xff\xfe") == "//4=");
}

TEST_CASE("the redacted form is scheme://host:port, never userinfo, path or query") {
  CHECK(redacted_url("http://127.0.0.1:9093") == "http://127.0.0.1:9093");
  CHECK(redacted_url("https://hooks.example/T0KEN/secret") == "https://hooks.example:443");
  CHECK(redacted_url("http://alerts.example/hook?key=s3cret") == "http://alerts.example:80");
  CHECK(redacted_url("https://user:p%40ss@hooks.example:8443/x") == "https://hooks.example:8443");
  CHECK(redacted_url("http://user:a@b@hooks.example/x").find("a@b") == std::string::npos);
  CHECK(redacted_url("http://[::1]:9093/am") == "http://[::1]:9093");
  CHECK(redacted_url("HTTP://Host#frag") == "http://Host:80");
  CHECK(redacted_url("not a url") == "invalid URL");
  CHECK(redacted_url("http://") == "invalid URL");
  CHECK(redacted_url("http://user:SECRETPW@") == "invalid URL");
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
  CHECK(error_of("http://:9747/").find("no host") != std::string::npos);
  CHECK(error_of("http://h:99999/").find("port") != std::string::npos);
  // Boost.URL 1.81 would read this as host 127.0.0.1 and path ".nip.io:9093/x": refused.
  CHECK(error_of("http://127.0.0.1.nip.io:9093/x").find("begins with an IPv4 address") !=
        std::string::npos);
  CHECK(error_of("http://10.0.0.1x/").find("begins with an IPv4 address") != std::string::npos);
}

TEST_CASE("malformed URLs are rejected without quoting them") {
  for (const std::string url :
       {"ftp://SECRET.example/x", "http://", "http://user:SECRET@", "http://:80/SECRET", "SECRET",
        "http://h:99999/SECRET", "http://h:0/SECRET", "http://ho%0Ast/SECRET",
        "http://ho st/SECRET", "http://[v7.SECRET]/", "http://h/SE CRET"}) {
    CAPTURE(url);
    try {
      (void)parse_http_url(url);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("SECRET") == std::string::npos);
    }
  }
}

TEST_CASE("a receiver's answer is scrubbed of the URL's secrets, escaped and capped") {
  const HttpUrl u = parse_http_url("http://alerts:SECRETPW@h/hook/T0KEN?token=QSECRET");
  const std::string echoed =
      "got POST /hook/T0KEN?token=QSECRET from alerts with SECRETPW\n\x1b[31mred";
  const std::string excerpt = answer_excerpt(u, echoed);
  CHECK(excerpt.find("SECRETPW") == std::string::npos);
  CHECK(excerpt.find("QSECRET") == std::string::npos);
  CHECK(excerpt.find("T0KEN") == std::string::npos);
  CHECK(excerpt.find('\n') == std::string::npos);
  CHECK(excerpt.find('\x1b') == std::string::npos);
  CHECK(excerpt.find("\\n") != std::string::npos);
  CHECK(answer_excerpt(u, std::string(10000, 'x')).size() <= kAnswerExcerptBytes + 3);
  CHECK(answer_excerpt(parse_http_url("http://h/"), "plain answer") == "plain answer");
}
