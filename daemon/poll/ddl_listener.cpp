#include "poll/ddl_listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "enumwatch/catalog/ddl_trigger.hpp"
#include "enumwatch/core/backoff.hpp"
#include "enumwatch/core/text.hpp"

namespace enumwatch {
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {
// Nothing is sent while waiting: TCP keepalives (set by PgConnection) find a dead peer. The wait
// still ends now and then so that the loop shows it is alive.
constexpr milliseconds kWaitSlice = std::chrono::minutes(1);
constexpr milliseconds kMaxBackoff = std::chrono::seconds(30);
}  // namespace

DdlListener::DdlListener(asio::any_io_executor executor, std::string label, ConnParams params,
                         Duration timeout, Events events, InternalErrorCounter count_internal_error)
    : timer_(executor),
      label_(std::move(label)),
      params_(std::move(params)),
      timeout_(timeout),
      events_(std::move(events)),
      count_internal_error_(std::move(count_internal_error)) {}

void DdlListener::stop() {
  stopped_ = true;
  // The loop ends on its next turn, maybe after whoever handed in the events is gone: it says
  // nothing more.
  events_.listening = [](bool) {};
  events_.subscribed = [] {};
  events_.changed = [](const std::vector<Notification>&) {};
  timer_.cancel();
  if (connection_) connection_->interrupt();
}

asio::awaitable<void> DdlListener::sleep(milliseconds delay) {
  timer_.expires_after(delay);
  boost::system::error_code ec;
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> DdlListener::run() {
  auto self = shared_from_this();  // alive until the loop ends, whatever the scheduler drops
  while (!stopped_) {
    try {
      co_await listen_once();
    } catch (const Error& e) {
      ++failures_;
      const std::string error = escape_control(e.what());
      if (listening_ || failures_ == 1 || error != last_error_) {
        spdlog::warn("{}: LISTEN {} connection: {} (polling goes on; reconnecting)", label_,
                     kDdlChannel, error);
      }
      last_error_ = error;
    } catch (...) {
      ++failures_;
      report_internal_error(count_internal_error_, "listener", std::current_exception());
    }
    // Closing the connection and telling the scheduler are inside an edge of their own: the
    // loop must outlive whatever they throw (it would end silently, the target never notified).
    milliseconds backoff = kMaxBackoff;
    try {
      connection_.reset();
      if (listening_) {
        listening_ = false;
        events_.listening(false);
      }
      backoff = exponential_backoff(milliseconds(1000), failures_, kMaxBackoff);
    } catch (...) {
      report_internal_error(count_internal_error_, "listener", std::current_exception());
    }
    if (stopped_) break;
    co_await sleep(std::min(backoff, kMaxBackoff));
  }
  if (listening_) events_.listening(false);
  listening_ = false;
}

asio::awaitable<void> DdlListener::listen_once() {
  const Deadline deadline = std::chrono::steady_clock::now() + timeout_;
  connection_ = co_await PgConnection::connect(params_, deadline);
  if (stopped_) co_return;
  static const std::string listen = "LISTEN " + std::string(kDdlChannel);
  // Like every statement enumwatch sends: an empty search_path first, in the same round trip
  // (docs/security.md, "search_path"), though LISTEN itself resolves no function or operator.
  const std::vector<Statement> statements{{kEmptySearchPath, {}}, {listen, {}}};
  const auto results = co_await connection_->run_pipeline(statements, deadline);
  for (const auto& result : results) {
    if (!result.error) continue;
    throw PgError(PgError::Kind::query,
                  "LISTEN failed: " + *result.error + " (" + connection_->description() + ")",
                  result.sqlstate);
  }
  if (stopped_) co_return;
  if (failures_ > 0) spdlog::info("{}: listening for schema changes again", label_);
  failures_ = 0;
  listening_ = true;
  events_.listening(true);
  events_.subscribed();
  while (!stopped_) {
    const auto batch =
        co_await connection_->wait_for_notifications(std::chrono::steady_clock::now() + kWaitSlice);
    if (stopped_ || batch.empty()) continue;
    spdlog::debug("{}: {} schema change notification(s), first: {}", label_, batch.size(),
                  escape_control(batch.front().payload));
    events_.changed(batch);
    co_await sleep(kCoalesce);
  }
}

}  // namespace enumwatch
