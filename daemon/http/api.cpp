#include "http/api.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/sha256.hpp"
#include "enumwatch/core/text.hpp"
#include "enumwatch/core/utf8.hpp"
#include "enumwatch/report/report.hpp"
#include "http/gzip.hpp"
#include "http/page_assets.hpp"
#include "metrics/metrics.hpp"
#include "poll/scheduler.hpp"
#include "snapshots/registry.hpp"

namespace enumwatch {
namespace http = boost::beast::http;

namespace {

HttpResponse respond(http::status status, std::string body, std::string_view content_type) {
  HttpResponse res{status, 11};
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  return res;
}

HttpResponse plain(http::status status, std::string body) {
  return respond(status, std::move(body), "text/plain; charset=utf-8");
}

HttpResponse json(http::status status, const boost::json::value& value) {
  return respond(status, boost::json::serialize(value) + "\n", "application/json");
}

HttpResponse error(http::status status, const std::string& message) {
  // The message may quote the request's path, which may be any bytes: JSON must be UTF-8.
  return json(status, boost::json::object{{"error", to_valid_utf8(message)}});
}

HttpResponse method_not_allowed(std::string_view allow) {
  auto res = error(http::status::method_not_allowed, "method not allowed");
  res.set(http::field::allow, allow);
  return res;
}

boost::json::value snapshot_json(const std::string& name, const LoadedSnapshot& loaded) {
  const StoredSnapshot& s = *loaded.current;
  boost::json::object o;
  o["name"] = name;
  o["managed"] = loaded.file_managed ? "file" : "api";
  o["digest"] = s.digest;
  o["revision"] = s.snapshot->revision ? boost::json::value(*s.snapshot->revision) : nullptr;
  o["source"] = s.snapshot->source ? boost::json::value(*s.snapshot->source) : nullptr;
  o["registered_at"] = loaded.file_managed ? boost::json::value(nullptr)
                                           : boost::json::value(format_timestamp(s.registered_at));
  o["snapshot"] = to_json_value(*s.snapshot);
  return o;
}

// "/api/v1/targets/orders-prod/poll" with prefix "/api/v1/targets/" -> {"orders-prod", "poll"}
std::optional<std::pair<std::string, std::string>> split_resource(std::string_view path,
                                                                  std::string_view prefix) {
  if (!path.starts_with(prefix)) return std::nullopt;
  std::string_view rest = path.substr(prefix.size());
  auto slash = rest.find('/');
  std::string name(rest.substr(0, slash));
  std::string tail = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
  if (name.empty()) return std::nullopt;
  return std::make_pair(name, tail);
}

}  // namespace

bool tokens_equal(std::string_view presented, std::string_view expected) {
  // Digests have equal lengths whatever was sent, so the comparison's time says nothing.
  const std::string a = sha256_hex(presented), b = sha256_hex(expected);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<HttpResponse> HttpApi::check_token(const HttpRequest& request) const {
  if (!token_) {
    return error(http::status::forbidden,
                 "write endpoints are disabled: set api_token_file in [daemon]");
  }
  const auto header = request[http::field::authorization];
  const std::string_view value(header.data(), header.size());
  // RFC 9110: the scheme is case-insensitive ("bearer", "BEARER" are the same).
  constexpr std::string_view kBearer = "bearer ";
  const bool bearer = value.size() > kBearer.size() &&
                      std::equal(kBearer.begin(), kBearer.end(), value.begin(), [](char a, char b) {
                        return a == std::tolower(static_cast<unsigned char>(b));
                      });
  if (!bearer || !tokens_equal(value.substr(kBearer.size()), *token_)) {
    auto res = error(http::status::unauthorized, "missing or wrong bearer token");
    res.set(http::field::www_authenticate, "Bearer");
    return res;
  }
  return std::nullopt;
}

bool HttpApi::wants_body(const HttpRequest& headers) const {
  std::string_view target(headers.target().data(), headers.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  return headers.method() == http::verb::put && split_resource(path, "/api/v1/snapshots/") &&
         !check_token(headers);
}

// Routing only: which handler answers a path. Each read-only resource answers GET and HEAD, and
// 405 with its Allow header to anything else (docs/http-api.md).
boost::asio::awaitable<HttpResponse> HttpApi::handle(const HttpRequest& request) {
  std::string_view target(request.target().data(), request.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  const auto method = request.method();
  const bool get = method == http::verb::get || method == http::verb::head;
  auto read_only = [get](auto&& answer) { return get ? answer() : method_not_allowed("GET"); };

  if (path == "/metrics") co_return read_only([&] { return metrics_text(request); });
  if (path == "/healthz") co_return read_only([] { return plain(http::status::ok, "ok\n"); });
  if (path == "/readyz") co_return read_only([&] { return readiness(); });
  if (page_model_ && (path == "/" || path.starts_with("/targets/")))
    co_return read_only([&] { return status_page(path); });
  if (path == "/api/v1/events") co_return read_only([] { return events_full(); });
  if (path == "/api/v1/status")
    co_return read_only([&] { return json(http::status::ok, status_json(scheduler_.reports())); });
  if (auto resource = split_resource(path, "/api/v1/targets/")) {
    // Not a structured binding: clang 15 cannot capture one in the lambda below.
    const std::string& name = resource->first;
    const std::string& tail = resource->second;
    if (tail.empty()) co_return read_only([&] { return target_status(name); });
    if (tail == "changes") co_return read_only([&] { return target_changes(name); });
    if (tail == "poll") {
      if (method != http::verb::post) co_return method_not_allowed("POST");
      co_return poll_requested(request, name);
    }
  }
  if (auto resource = split_resource(path, "/api/v1/snapshots/");
      resource && resource->second.empty()) {
    const std::string& name = resource->first;
    if (method == http::verb::put) co_return co_await put_snapshot(request, name);
    if (!get) co_return method_not_allowed("GET, PUT");
    co_return snapshot_status(name);
  }
  co_return error(http::status::not_found, "no such endpoint: see docs/http-api.md");
}

HttpResponse HttpApi::metrics_text(const HttpRequest& request) const {
  const bool compress = accepts_gzip(request[http::field::accept_encoding]);
  std::string body = compress ? metrics_.serialize_gzip() : metrics_.serialize();
  auto res = respond(http::status::ok, std::move(body), "text/plain; version=0.0.4; charset=utf-8");
  if (compress) res.set(http::field::content_encoding, "gzip");
  res.set(http::field::vary, "Accept-Encoding");
  return res;
}

HttpResponse HttpApi::readiness() const {
  if (!scheduler_.every_target_polled())
    return plain(http::status::service_unavailable,
                 "not ready: some targets were not polled yet\n");
  if (auto stale = scheduler_.overdue_targets(std::chrono::steady_clock::now()); !stale.empty()) {
    std::string names;
    for (const auto& n : stale) names += (names.empty() ? "" : ", ") + n;
    return plain(http::status::service_unavailable,
                 "not ready: stale targets (a poll or wake-up is overdue): " + names + "\n");
  }
  return plain(http::status::ok, "ready\n");
}

HttpResponse HttpApi::status_page(std::string_view path) const {
  const PageAssets assets{kStatusPageCss, kStatusPageScript};
  const StatusPage page = page_model_();
  std::optional<std::string> html;
  const auto resource = split_resource(path, "/targets/");
  if (path == "/") {
    html = render_overview(page, assets);
  } else if (resource && resource->second.empty()) {
    html = render_target_page(page, resource->first, assets);
  } else if (resource && resource->second == "row") {
    html = render_target_row(page, resource->first);  // docs/status-page.md, "Live"
  }
  if (!html) {
    return respond(http::status::not_found,
                   "<!doctype html><title>not found</title><p>No such target. <a "
                   "href=\"/\">All targets</a></p>\n",
                   "text/html; charset=utf-8");
  }
  auto res = respond(http::status::ok, std::move(*html), "text/html; charset=utf-8");
  // Only the page's own inline style and script, named by their hashes, may apply or run:
  // anything injected into the page (a catalog string that escaped escaping) would not.
  static const std::string kPolicy = content_security_policy(assets);
  res.set("Content-Security-Policy", kPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  return res;
}

// open_stream() answers /api/v1/events while the hub has room: a request that reaches the
// router found it full (or not set up).
HttpResponse HttpApi::events_full() {
  auto res = error(http::status::service_unavailable, "too many event subscribers; retry later");
  res.set(http::field::retry_after, "5");
  return res;
}

HttpResponse HttpApi::target_status(const std::string& name) const {
  auto report = scheduler_.report(name);
  if (!report) return not_watched(name, http::status::not_found);
  return json(http::status::ok, to_json(*report));
}

HttpResponse HttpApi::target_changes(const std::string& name) const {
  auto report = scheduler_.report(name);
  if (!report) return not_watched(name, http::status::not_found);
  return json(http::status::ok, changes_json(report->changes));
}

HttpResponse HttpApi::not_watched(const std::string& name, http::status other_shard_status) const {
  auto other = other_shards_.find(name);
  if (other == other_shards_.end())
    return error(http::status::not_found, "no target named \"" + name + "\"");
  const std::string of = " of " + std::to_string(shard_.count);
  return error(other_shard_status, "target \"" + name + "\" is watched by shard " +
                                       std::to_string(other->second) + of +
                                       ", not by this daemon (shard " +
                                       std::to_string(shard_.index) + of + "): ask that shard");
}

HttpResponse HttpApi::poll_requested(const HttpRequest& request, const std::string& name) {
  if (auto denied = check_token(request)) return *denied;
  if (!scheduler_.request_poll(name)) return not_watched(name, http::status::conflict);
  spdlog::info("target {}: poll requested over the API", name);
  return json(http::status::accepted, boost::json::object{{"target", name}, {"poll", "requested"}});
}

HttpResponse HttpApi::snapshot_status(const std::string& name) const {
  const LoadedSnapshot* loaded = snapshots_.find(name);
  if (!loaded)
    return error(http::status::not_found, "no snapshot named \"" + name + "\" in the config");
  if (!loaded->current)
    return error(http::status::not_found, "snapshot \"" + name + "\" is not registered yet");
  return json(http::status::ok, snapshot_json(name, *loaded));
}

std::vector<EventChunk> HttpApi::current_events() const {
  const std::uint64_t generation = scheduler_.reports_generation();
  if (encoded_reports_ && encoded_reports_->generation == generation)
    return encoded_reports_->events;
  EncodedReports encoded{generation, {}};
  scheduler_.for_each_report([&](const TargetReport& report) {
    encoded.events.push_back(std::make_shared<const std::string>(
        EventHub::format("target", boost::json::serialize(to_json(report)))));
  });
  encoded_reports_ = std::move(encoded);
  return encoded_reports_->events;
}

HttpStreamOpening HttpApi::open_stream(const HttpRequest& request,
                                       const boost::asio::ip::address& client) {
  std::string_view target(request.target().data(), request.target().size());
  if (!events_ || target.substr(0, target.find('?')) != "/api/v1/events" ||
      request.method() != http::verb::get)
    return std::monostate{};
  // The limits are checked before anything is serialized for this subscriber.
  auto subscribed = events_->subscribe(client, [this] { return current_events(); });
  using Refusal = EventHub::Subscribed::Refusal;
  if (subscribed.refusal == Refusal::hub_full) {
    auto res = error(http::status::service_unavailable, "too many event subscribers; retry later");
    res.set(http::field::retry_after, "5");
    return res;
  }
  if (subscribed.refusal == Refusal::client_full) {
    auto res = error(http::status::too_many_requests,
                     "at most " + std::to_string(events_->limits().max_per_client) +
                         " event streams per client address: close another page first");
    res.set(http::field::retry_after, "5");
    return res;
  }
  HttpStream stream;
  stream.head = HttpResponse{http::status::ok, 11};
  stream.head.set(http::field::content_type, "text/event-stream; charset=utf-8");
  stream.head.set(http::field::cache_control, "no-store");
  stream.head.set("X-Accel-Buffering", "no");  // a proxy in front must not hold events back
  static const EventChunk kRetry = std::make_shared<const std::string>("retry: 3000\n\n");
  stream.next = [subscription = std::move(subscribed.subscription),
                 first = true]() mutable -> boost::asio::awaitable<EventChunk> {
    if (first) {
      first = false;
      co_return kRetry;  // EventSource's reconnect delay
    }
    co_return co_await subscription->next();
  };
  return stream;
}

boost::asio::awaitable<HttpResponse> HttpApi::put_snapshot(const HttpRequest& request,
                                                           const std::string& name) {
  if (auto denied = check_token(request)) co_return *denied;
  const LoadedSnapshot* loaded = snapshots_.find(name);
  if (!loaded) {
    co_return error(http::status::not_found, "no snapshot named \"" + name +
                                                 "\" in the config: add [snapshots." + name +
                                                 "] without a path");
  }
  if (loaded->file_managed) {
    co_return error(http::status::conflict,
                    "snapshot \"" + name + "\" is file-managed: edit its file and send SIGHUP");
  }
  auto content_type = request[http::field::content_type];
  const bool is_json = content_type.find("json") != boost::beast::string_view::npos;
  Snapshot snapshot;
  try {
    snapshot = parse_snapshot(request.body(), is_json ? SnapshotFormat::json : SnapshotFormat::toml,
                              "request body");
  } catch (const Error& e) {
    co_return error(http::status::bad_request, e.what());
  }
  StoredSnapshot stored;
  try {
    stored = co_await snapshots_.register_version(name, std::move(snapshot));
  } catch (const Error& e) {
    spdlog::error("snapshot {}: registration failed: {}", name, e.what());
    co_return error(http::status::internal_server_error,
                    "could not persist the snapshot: " + std::string(e.what()));
  }
  spdlog::info("snapshot {}: registered digest {} revision {}", name, stored.digest,
               stored.snapshot->revision.value_or("-"));
  metrics_.set_snapshots(snapshots_.all());
  scheduler_.request_polls_using(name);
  boost::json::object body{
      {"name", name},
      {"digest", stored.digest},
      {"revision",
       stored.snapshot->revision ? boost::json::value(*stored.snapshot->revision) : nullptr},
      {"registered_at", format_timestamp(stored.registered_at)}};
  co_return json(http::status::ok, body);
}

}  // namespace enumwatch
