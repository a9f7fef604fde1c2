// The daemon's HTTP endpoints (docs/http-api.md): a request plus the daemon's state in, a response
// out. Routing and the token check are here; the server that carries the bytes is http_server.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "enumwatch/config/shard.hpp"
#include "http/event_stream.hpp"
#include "http/page/status_page.hpp"
#include "http/server.hpp"

namespace enumwatch {

class Metrics;
class Scheduler;
class SnapshotRegistry;

class HttpApi {
 public:
  HttpApi(Scheduler& scheduler, SnapshotRegistry& snapshots, Metrics& metrics)
      : scheduler_(scheduler), snapshots_(snapshots), metrics_(metrics) {}

  // Absent: write endpoints answer 403.
  void set_token(std::optional<std::string> token) { token_ = std::move(token); }
  // Targets left to other shards (docs/fleet.md): asking this daemon about one names its shard.
  void set_shard(Shard shard, std::map<std::string, unsigned> other_shards) {
    shard_ = shard;
    other_shards_ = std::move(other_shards);
  }
  // The status page (GET /, GET /targets/NAME) and its live events (GET /api/v1/events); without
  // these, those paths answer 404.
  void set_status_page(EventHub* events, std::function<StatusPage()> model) {
    events_ = events;
    page_model_ = std::move(model);
  }
  // For the server: /api/v1/events answered as a stream while the hub has room (503 when it is
  // full, 429 when this client address holds its share already); anything else: monostate.
  [[nodiscard]] HttpStreamOpening open_stream(const HttpRequest& request,
                                              const boost::asio::ip::address& client);
  // The current state of every target as `target` events: what a new subscriber gets first.
  // Encoded once per change of the reports (Scheduler::reports_generation) and shared by every
  // subscriber, so a crowd of page loads costs one serialization, not one each.
  [[nodiscard]] std::vector<EventChunk> current_events() const;

  [[nodiscard]] boost::asio::awaitable<HttpResponse> handle(const HttpRequest& request);
  // Only a snapshot registration with a valid token has its body read (HttpBodyPolicy): a
  // request that will be refused buffers nothing.
  [[nodiscard]] bool wants_body(const HttpRequest& headers) const;

 private:
  boost::asio::awaitable<HttpResponse> put_snapshot(const HttpRequest& request,
                                                    const std::string& name);
  [[nodiscard]] std::optional<HttpResponse> check_token(const HttpRequest& request) const;
  // One handler per resource (docs/http-api.md); handle() only routes.
  // gzip-encoded when the scraper accepts it (docs/http-api.md, "Compression").
  [[nodiscard]] HttpResponse metrics_text(const HttpRequest& request) const;
  [[nodiscard]] HttpResponse readiness() const;
  [[nodiscard]] HttpResponse status_page(std::string_view path) const;
  [[nodiscard]] static HttpResponse events_full();
  [[nodiscard]] HttpResponse target_status(const std::string& name) const;
  // GET /api/v1/targets/{name}/changes (docs/who-changed-it.md, "Changelog").
  [[nodiscard]] HttpResponse target_changes(const std::string& name) const;
  [[nodiscard]] HttpResponse poll_requested(const HttpRequest& request, const std::string& name);
  [[nodiscard]] HttpResponse snapshot_status(const std::string& name) const;
  // The answer for a target this daemon does not watch: 404, or `other_shard_status` (409 for a
  // poll) naming the shard that watches it.
  [[nodiscard]] HttpResponse not_watched(const std::string& name,
                                         boost::beast::http::status other_shard_status) const;

  Scheduler& scheduler_;
  SnapshotRegistry& snapshots_;
  Metrics& metrics_;
  std::optional<std::string> token_;
  Shard shard_;
  std::map<std::string, unsigned> other_shards_;
  EventHub* events_ = nullptr;
  std::function<StatusPage()> page_model_;
  struct EncodedReports {
    std::uint64_t generation = 0;
    std::vector<EventChunk> events;
  };
  mutable std::optional<EncodedReports> encoded_reports_;
};

// Compares without leaking, through timing, how much of the token matched.
[[nodiscard]] bool tokens_equal(std::string_view presented, std::string_view expected);

}  // namespace enumwatch
