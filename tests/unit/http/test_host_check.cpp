#include <doctest/doctest.h>

#include "http/server.hpp"

using namespace enumwatch;
namespace asio = boost::asio;

namespace {

const auto kLoopback = asio::ip::make_address("127.0.0.1");

// As the server does: the configured names reduced to their hosts once (set_allowed_hosts).
HostCheck check(std::string_view host, const std::vector<std::string>& names = {},
                const asio::ip::address& listen = kLoopback) {
  std::vector<std::string> hosts;
  for (const auto& name : names) hosts.push_back(host_of(name));
  return check_host(host, listen, hosts);
}

}  // namespace

TEST_CASE("a Host header is read as host and optional port, an IPv6 address in brackets") {
  CHECK(host_header_name("localhost") == "localhost");
  CHECK(host_header_name("LocalHost.:9747") == "localhost");
  CHECK(host_header_name("127.0.0.1:9747") == "127.0.0.1");
  CHECK(host_header_name("[::1]:9747") == "::1");
  CHECK(host_header_name("[::1]") == "::1");
  CHECK(host_header_name("localhost:") == "localhost");  // RFC 3986: the port may be empty
  for (const char* malformed :
       {"", ":9747", "[::1", "::1", "[::1]x", "[127.0.0.1]", "a b", "user@localhost", "localhost/x",
        "localhost:99999x", "localhost:123456", "[fe80::1%25eth0]", "."})
    CHECK_MESSAGE(!host_header_name(malformed), std::string(malformed));
}

TEST_CASE("a loopback listener answers for localhost, loopback addresses and its own names") {
  for (const char* ours : {"localhost", "localhost:9747", "LOCALHOST.", "127.0.0.1", "127.0.0.1:1",
                           "127.1.2.3:9747", "[::1]:9747", "[0:0:0:0:0:0:0:1]"})
    CHECK_MESSAGE(check(ours) == HostCheck::allowed, std::string(ours));
  for (const char* foreign : {"evil.example", "evil.example:9747", "localhost.evil.example",
                              "10.0.0.1", "[2001:db8::1]", "0.0.0.0"})
    CHECK_MESSAGE(check(foreign) == HostCheck::foreign, std::string(foreign));
  CHECK(check("a b") == HostCheck::malformed);
  // Boost.URL 1.81 cannot read a name that begins with an IPv4 address: refused as malformed,
  // never taken for the loopback address it starts with.
  CHECK(check("127.0.0.1.nip.io:9747") == HostCheck::malformed);
}

TEST_CASE("daemon.listen's and external_url's hosts are ours too, whatever the port") {
  const std::vector<std::string> names{"enumwatch.internal:9747",
                                       "https://Status.Example.com:8443/enumwatch"};
  CHECK(check("enumwatch.internal", names) == HostCheck::allowed);
  CHECK(check("enumwatch.internal:80", names) == HostCheck::allowed);
  CHECK(check("status.example.com", names) == HostCheck::allowed);
  CHECK(check("status.example.com.:443", names) == HostCheck::allowed);
  CHECK(check("example.com", names) == HostCheck::foreign);
  CHECK(check("[2001:db8::5]", {"http://[2001:db8:0::5]:9747/"}) == HostCheck::allowed);
  // The listener's own address, when it is a loopback one other than 127.0.0.1.
  CHECK(check("[::1]", {}, asio::ip::make_address("::1")) == HostCheck::allowed);
  CHECK(host_of("https://user@a.example:8443/x?y") == "a.example");
  CHECK(host_of("[::1]:9747") == "::1");
  CHECK(host_of("localhost:9747") == "localhost");
}
