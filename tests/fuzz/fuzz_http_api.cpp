// The HTTP API request handler (docs/http-api.md) with everything a client chooses: method, target,
// headers and body. Input layout: byte 0 picks the method; then the target up to the first newline;
// then "Name: value" header lines up to an empty line; the rest is the body. Requests the server's
// parser would refuse (control characters in the target or a header) are skipped.
//
// Properties: no input makes the handler throw or answer 500; every JSON answer is JSON; a 401
// says how to authenticate; a 405 says what is allowed; a snapshot the API accepted (200) is
// what GET then returns.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <filesystem>

#include "fuzz_support.hpp"
#include "http/api.hpp"
#include "http_api_fixture.hpp"

using namespace enumwatch;
namespace http = boost::beast::http;

namespace {

constexpr std::string_view kToken = "fuzz-token-0123456789";

std::filesystem::path make_state_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "enumwatch-fuzz-XXXXXX").string();
  fuzz::require(mkdtemp(pattern.data()) != nullptr, "a temporary state directory");
  return pattern;
}

// The fixture on a writable state directory, so that accepted snapshots are really stored.
struct Api {
  std::filesystem::path state_dir = make_state_dir();
  enumwatch::testing::HttpApiFixture fixture{state_dir.string()};
  unsigned calls = 0;

  Api() {
    spdlog::set_level(spdlog::level::off);
    fixture.api.set_token(std::string(kToken));
  }
  ~Api() { std::filesystem::remove_all(state_dir); }

  HttpResponse call(const HttpRequest& request) {
    // Every accepted snapshot adds a history file: keep the directory small over millions of runs.
    if (++calls % 1024 == 0)
      std::filesystem::remove_all(state_dir / "snapshots" / "app" / "history");
    return fixture.call(request);
  }
};

bool parser_would_accept(std::string_view text) {
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) return false;
  }
  return true;
}

bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
      return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Api api;
  if (size < 1) return 0;
  static constexpr http::verb kMethods[] = {
      http::verb::get,     http::verb::head,    http::verb::put,  http::verb::post,
      http::verb::delete_, http::verb::options, http::verb::patch};
  const http::verb method = kMethods[data[0] % std::size(kMethods)];
  std::string_view rest = fuzz::as_text(data + 1, size - 1);

  const auto target_end = rest.find('\n');
  const std::string_view target = rest.substr(0, target_end);
  if (target.empty() || !parser_would_accept(target)) return 0;
  rest = target_end == std::string_view::npos ? std::string_view{} : rest.substr(target_end + 1);

  HttpRequest request{method, target, 11};
  while (!rest.empty()) {
    const auto line_end = rest.find('\n');
    const std::string_view line = rest.substr(0, line_end);
    rest = line_end == std::string_view::npos ? std::string_view{} : rest.substr(line_end + 1);
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return 0;
    const std::string_view name = line.substr(0, colon), value = trim(line.substr(colon + 1));
    if (!is_token(name) || !parser_would_accept(value)) return 0;
    request.insert(name, value);
  }
  request.body() = std::string(rest);
  request.prepare_payload();

  HttpResponse response;
  try {
    response = api.call(request);
  } catch (const std::exception& e) {
    fuzz::require(false, "the handler never throws", e.what());
  }
  const int status = response.result_int();
  fuzz::require(status != 500, "no request makes the API fail internally", response.body());
  fuzz::require(response.count(http::field::content_type) == 1, "every answer has a content type");
  if (response[http::field::content_type] == "application/json") {
    boost::system::error_code ec;
    (void)boost::json::parse(response.body(), ec);
    fuzz::require(!ec, "a JSON answer is JSON", response.body());
  }
  if (status == 401)
    fuzz::require(response.count(http::field::www_authenticate) == 1, "a 401 says Bearer");
  if (status == 405) fuzz::require(response.count(http::field::allow) == 1, "a 405 says Allow");

  if (method == http::verb::put && status == 200) {
    HttpRequest get{http::verb::get, "/api/v1/snapshots/app", 11};
    const HttpResponse stored = api.call(get);
    fuzz::require(stored.result_int() == 200, "an accepted snapshot can be read back");
    const auto put_digest = boost::json::parse(response.body()).at("digest");
    const auto get_digest = boost::json::parse(stored.body()).at("digest");
    fuzz::require(put_digest == get_digest, "GET returns the digest PUT registered", stored.body());
  }
  return 0;
}
