#include "http/event_stream.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace enumwatch {
namespace asio = boost::asio;

EventSubscription::EventSubscription(asio::any_io_executor executor,
                                     std::chrono::milliseconds heartbeat)
    : wake_(executor), heartbeat_(heartbeat) {}

asio::awaitable<std::optional<std::string>> EventSubscription::next() {
  if (closed_) co_return std::nullopt;
  if (queue_.empty()) {
    wake_.expires_after(heartbeat_);
    boost::system::error_code ec;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (closed_) co_return std::nullopt;
    if (queue_.empty()) co_return std::string(": heartbeat\n\n");
  }
  std::string event = std::move(queue_.front());
  queue_.pop_front();
  co_return event;
}

EventHub::EventHub(asio::any_io_executor executor, Limits limits)
    : executor_(std::move(executor)), limits_(limits) {}

std::shared_ptr<EventSubscription> EventHub::subscribe(std::vector<std::string> initial) {
  prune();
  if (subscribers_.size() >= limits_.max_subscribers) return nullptr;
  auto subscription = std::make_shared<EventSubscription>(executor_, limits_.heartbeat);
  for (auto& event : initial) subscription->queue_.push_back(std::move(event));
  subscribers_.push_back(subscription);
  return subscription;
}

void EventHub::publish(std::string_view event, std::string_view data) {
  const std::string text = format(event, data);
  for (auto& weak : subscribers_) {
    auto subscription = weak.lock();
    if (!subscription || subscription->closed_) continue;
    if (subscription->queue_.size() >= limits_.max_queued) {
      subscription->closed_ = true;  // too far behind: its client reconnects and starts afresh
      subscription->queue_.clear();
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
  return "event: " + std::string(event) + "\ndata: " + std::string(data) + "\n\n";
}

}  // namespace enumwatch
