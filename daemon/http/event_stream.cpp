#include "http/event_stream.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace enumwatch {
namespace asio = boost::asio;

namespace {

const EventChunk& heartbeat_chunk() {
  static const EventChunk chunk = std::make_shared<const std::string>(": heartbeat\n\n");
  return chunk;
}

}  // namespace

EventSubscription::EventSubscription(asio::any_io_executor executor,
                                     std::chrono::milliseconds heartbeat, asio::ip::address client)
    : wake_(executor), heartbeat_(heartbeat), client_(std::move(client)) {}

asio::awaitable<EventChunk> EventSubscription::next() {
  if (closed_) co_return nullptr;
  if (!initial_.empty()) {
    EventChunk event = std::move(initial_.front());
    initial_.pop_front();
    co_return event;
  }
  if (queue_.empty()) {
    wake_.expires_after(heartbeat_);
    boost::system::error_code ec;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (closed_) co_return nullptr;
    if (queue_.empty()) co_return heartbeat_chunk();
  }
  EventChunk event = std::move(queue_.front());
  queue_.pop_front();
  co_return event;
}

EventHub::EventHub(asio::any_io_executor executor, Limits limits)
    : executor_(std::move(executor)), limits_(limits) {}

EventHub::Subscribed EventHub::subscribe(const asio::ip::address& client,
                                         const std::function<std::vector<EventChunk>()>& initial) {
  prune();
  if (subscribers_.size() >= limits_.max_subscribers)
    return {nullptr, Subscribed::Refusal::hub_full};
  const auto same_client = std::count_if(subscribers_.begin(), subscribers_.end(),
                                         [&](const std::weak_ptr<EventSubscription>& weak) {
                                           auto subscription = weak.lock();
                                           return subscription && subscription->client_ == client;
                                         });
  if (static_cast<std::size_t>(same_client) >= limits_.max_per_client)
    return {nullptr, Subscribed::Refusal::client_full};
  auto subscription = std::make_shared<EventSubscription>(executor_, limits_.heartbeat, client);
  if (initial) {
    for (auto& event : initial()) subscription->initial_.push_back(std::move(event));
  }
  subscribers_.push_back(subscription);
  return {std::move(subscription), Subscribed::Refusal::none};
}

void EventHub::publish(std::string_view event, std::string_view data) {
  prune();
  if (subscribers_.empty()) return;
  const EventChunk text = std::make_shared<const std::string>(format(event, data));
  for (auto& weak : subscribers_) {
    auto subscription = weak.lock();
    if (!subscription || subscription->closed_) continue;
    if (subscription->queue_.size() >= limits_.max_queued) {
      subscription->closed_ = true;  // too far behind: its client reconnects and starts afresh
      subscription->queue_.clear();
      subscription->initial_.clear();
    } else {
      subscription->queue_.push_back(text);
    }
    subscription->wake_.cancel();
  }
  prune();
}

void EventHub::stop() {
  for (auto& weak : subscribers_) {
    if (auto subscription = weak.lock()) {
      subscription->closed_ = true;
      subscription->wake_.cancel();
    }
  }
  subscribers_.clear();
}

std::size_t EventHub::subscribers() {
  prune();
  return subscribers_.size();
}

void EventHub::prune() {
  std::erase_if(subscribers_, [](const std::weak_ptr<EventSubscription>& weak) {
    auto subscription = weak.lock();
    return !subscription || subscription->closed_;
  });
}

std::string EventHub::format(std::string_view event, std::string_view data) {
  std::string out;
  out.reserve(event.size() + data.size() + 16);
  out.append("event: ").append(event).append("\ndata: ").append(data).append("\n\n");
  return out;
}

}  // namespace enumwatch
