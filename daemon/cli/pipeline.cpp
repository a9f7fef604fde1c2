// enumwatch register / enumwatch poll: what deploy pipelines call on a running daemon.
#include <boost/json.hpp>
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/run_blocking.hpp"
#include "enumwatch/core/duration.hpp"
#include "enumwatch/core/error.hpp"
#include "enumwatch/core/file_io.hpp"
#include "enumwatch/core/model.hpp"
#include "enumwatch/snapshot/snapshot.hpp"
#include "http/client.hpp"

namespace enumwatch::cli {
namespace http = boost::beast::http;

namespace {

// The deploy-pipeline side of the HTTP API (docs/http-api.md).
struct RegisterArgs {
  std::string url;  // the daemon, e.g. http://ops-host:9747
  std::string snapshot;
  std::string file;
  std::string token_file;  // "-": read the token from stdin
  std::string timeout = "30s";
};

struct PollArgs {
  std::string url;
  std::string target;
  std::string token_file;
  std::string timeout = "30s";
};

void check_name(const std::string& name, std::string_view option) {
  if (!is_valid_name(name))
    throw Error(std::string(option) + " \"" + name + "\": names are " + std::string(kNameRule));
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
  request.timeout = parse_timeout_option(args.timeout);
  request.bearer_token = read_token(args.token_file);
  HttpUrl url;
  try {
    url = parse_http_url(args.url);
  } catch (const Error& e) {
    throw Error(std::string("--url: ") + e.what());
  }
  request.target = url.request_target(request.target);
  return run_blocking([&]() -> boost::asio::awaitable<HttpAnswer> {
    co_return co_await http_call(co_await boost::asio::this_coro::executor, url,
                                 std::move(request));
  });
}

int register_snapshot(const RegisterArgs& args) {
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
  check_answer(answer, "registering snapshot \"" + args.snapshot + "\"", redacted_url(args.url));
  // An answer we cannot read is the daemon's fault or a proxy's, not ours: say so, as Error.
  boost::system::error_code ec;
  const auto body = boost::json::parse(answer.body, ec);
  const auto* digest_field =
      !ec && body.is_object() ? body.as_object().if_contains("digest") : nullptr;
  if (!digest_field || !digest_field->is_string()) {
    throw Error("registering snapshot \"" + args.snapshot + "\" at " + redacted_url(args.url) +
                ": the answer has no digest (is --url the enumwatch daemon?)");
  }
  const std::string stored(digest_field->as_string());
  if (stored != digest(local)) {
    throw Error("the daemon stored snapshot \"" + args.snapshot + "\" with digest " + stored +
                ", not " + digest(local) + " as computed here: check the daemon's version");
  }
  std::cout << stored << "\n";
  std::cerr << "enumwatch: registered snapshot \"" << args.snapshot << "\" (" << local.enums.size()
            << " enum types) at " << redacted_url(args.url)
            << "; targets using it are being polled\n";
  return kExitOk;
}

int poll_target(const PollArgs& args) {
  check_name(args.target, "--target");
  HttpCall request;
  request.method = http::verb::post;
  request.target = "/api/v1/targets/" + args.target + "/poll";
  const HttpAnswer answer = call(args, std::move(request));
  check_answer(answer, "requesting a poll of target \"" + args.target + "\"",
               redacted_url(args.url));
  std::cerr << "enumwatch: poll of target \"" << args.target << "\" requested at "
            << redacted_url(args.url) << "\n";
  return kExitOk;
}

// Both commands take the daemon's --url, --token-file and --timeout.
template <typename Args>
void add_daemon_options(CLI::App& command, Args& args) {
  command.add_option("--url", args.url, "The daemon, e.g. http://ops-host:9747")->required();
  command.add_option("--token-file", args.token_file,
                     "File holding the daemon's API token (- for stdin)");
  command.add_option("--timeout", args.timeout, "Request time limit (default 30s)");
}

}  // namespace

Command add_register(CLI::App& app) {
  auto args = std::make_shared<RegisterArgs>();
  auto* command = app.add_subcommand(
      "register", "Register a new version of an API-managed snapshot with a running daemon");
  add_daemon_options(*command, *args);
  command->add_option("--snapshot", args->snapshot, "The snapshot's name")->required();
  command->add_option("--file", args->file, "The snapshot file (TOML or .json)")->required();
  return {command, [args] { return register_snapshot(*args); }};
}

Command add_poll(CLI::App& app) {
  auto args = std::make_shared<PollArgs>();
  auto* command = app.add_subcommand("poll", "Ask a running daemon to poll a target now");
  add_daemon_options(*command, *args);
  command->add_option("--target", args->target, "The target's name")->required();
  return {command, [args] { return poll_target(*args); }};
}

}  // namespace enumwatch::cli
