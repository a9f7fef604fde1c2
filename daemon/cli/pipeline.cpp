// enumwatch register / enumwatch poll: what deploy pipelines call on a running daemon.
#include <boost/json.hpp>
#include <iostream>
#include <regex>

#include "cli/commands.hpp"
#include "cli/run_blocking.hpp"
#include "enumwatch/duration.hpp"
#include "enumwatch/error.hpp"
#include "enumwatch/snapshot.hpp"
#include "enumwatch/text.hpp"
#include "http/client.hpp"

namespace enumwatch {
namespace http = boost::beast::http;

namespace {

void check_name(const std::string& name, std::string_view option) {
  static const std::regex valid("[A-Za-z0-9_.-]{1,64}");
  if (!std::regex_match(name, valid))
    throw Error(std::string(option) + " \"" + name + "\": names are [A-Za-z0-9_.-]{1,64}");
}

std::chrono::milliseconds timeout_of(const std::string& text) {
  auto timeout = parse_duration(text);
  if (!timeout || timeout->count() <= 0)
    throw Error("--timeout \"" + text + "\" is not a duration (e.g. 30s)");
  return *timeout;
}

std::string read_token(const std::string& token_file) {
  if (token_file.empty()) return {};
  if (token_file != "-") return read_secret_file(token_file, "api token file");
  std::string token;
  std::getline(std::cin, token);
  if (!token.empty() && token.back() == '\r') token.pop_back();
  if (token.empty()) throw Error("--token-file -: no token on standard input");
  return token;
}

// The daemon's {"error": "..."} if it sent one, else the start of the body.
std::string error_text(const HttpAnswer& answer) {
  boost::system::error_code ec;
  auto value = boost::json::parse(answer.body, ec);
  if (!ec && value.is_object()) {
    if (const auto* e = value.as_object().if_contains("error"); e && e->is_string())
      return std::string(e->as_string());
  }
  return answer.body.substr(0, 200);
}

// Turns a non-2xx answer into an error that says what to do about it.
void check_answer(const HttpAnswer& answer, const std::string& what, const std::string& base) {
  if (answer.status / 100 == 2) return;
  std::string hint;
  switch (answer.status) {
    case 401:
      hint = ": the daemon refused the token; pass the daemon's api_token_file with --token-file";
      break;
    case 403:
      hint = ": the daemon has no [daemon] api_token_file, so its write endpoints are off";
      break;
    case 409:
      hint = ": the snapshot has a path in the daemon's config; update that file and reload";
      break;
    default:
      break;
  }
  throw Error(what + " at " + base + ": HTTP " + std::to_string(answer.status) + ": " +
              error_text(answer) + hint);
}

// One call of the daemon's API with the command's --url, --token-file and --timeout.
template <typename Args>
HttpAnswer call(const Args& args, HttpCall request) {
  request.timeout = timeout_of(args.timeout);
  request.bearer_token = read_token(args.token_file);
  const HttpUrl url = parse_http_url(args.url);
  request.target = (url.path == "/" ? "" : url.path) + request.target;
  return run_blocking([&]() -> boost::asio::awaitable<HttpAnswer> {
    co_return co_await http_call(co_await boost::asio::this_coro::executor, url,
                                 std::move(request));
  });
}

}  // namespace

int run_register(const RegisterArgs& args) {
  check_name(args.snapshot, "--snapshot");
  HttpCall request;
  request.body = read_file(args.file, "snapshot");
  // Validated here too, so that a broken file fails the pipeline with its file:line:col.
  const auto format = args.file.ends_with(".json") ? SnapshotFormat::json : SnapshotFormat::toml;
  const Snapshot local = parse_snapshot(request.body, format, args.file);
  request.method = http::verb::put;
  request.target = "/api/v1/snapshots/" + args.snapshot;
  request.content_type = format == SnapshotFormat::json ? "application/json" : "application/toml";

  const HttpAnswer answer = call(args, std::move(request));
  check_answer(answer, "registering snapshot \"" + args.snapshot + "\"", args.url);
  const auto body = boost::json::parse(answer.body).as_object();
  const std::string stored(body.at("digest").as_string());
  if (stored != digest(local)) {
    throw Error("the daemon stored snapshot \"" + args.snapshot + "\" with digest " + stored +
                ", not " + digest(local) + " as computed here: check the daemon's version");
  }
  std::cout << stored << "\n";
  std::cerr << "enumwatch: registered snapshot \"" << args.snapshot << "\" (" << local.enums.size()
            << " enum types) at " << args.url << "; targets using it are being polled\n";
  return kExitOk;
}

int run_poll(const PollArgs& args) {
  check_name(args.target, "--target");
  HttpCall request;
  request.method = http::verb::post;
  request.target = "/api/v1/targets/" + args.target + "/poll";
  const HttpAnswer answer = call(args, std::move(request));
  check_answer(answer, "requesting a poll of target \"" + args.target + "\"", args.url);
  std::cerr << "enumwatch: poll of target \"" << args.target << "\" requested at " << args.url
            << "\n";
  return kExitOk;
}

}  // namespace enumwatch
