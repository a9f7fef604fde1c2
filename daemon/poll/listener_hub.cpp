#include "poll/listener_hub.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <random>

#include "enumwatch/catalog/ddl_trigger.hpp"

namespace enumwatch {
namespace asio = boost::asio;

ListenerHub::ListenerHub(asio::any_io_executor executor, InternalErrorCounter count_internal_error)
    : executor_(std::move(executor)), count_internal_error_(std::move(count_internal_error)) {}

ListenerHub::~ListenerHub() {
  stop();
}

void ListenerHub::stop() {
  for (auto& [key, database] : *databases_) database->listener->stop();
  databases_->clear();
}

std::string ListenerHub::label(const Database& database) {
  constexpr std::size_t kNamed = 3;  // a long list would drown the message
  std::string names;
  std::size_t shown = 0;
  for (const auto& [target, subscriber] : database.subscribers) {
    if (shown == kNamed) break;
    names += (shown++ == 0 ? "" : ", ") + target;
  }
  const std::size_t more = database.subscribers.size() - shown;
  if (more > 0) names += " and " + std::to_string(more) + " more";
  return (database.subscribers.size() == 1 ? "target " : "targets ") + names;
}

std::unique_ptr<ListenerHub::Subscription> ListenerHub::subscribe(const std::string& target,
                                                                  const ConnParams& params,
                                                                  Duration timeout,
                                                                  Subscriber subscriber) {
  const std::string key = connection_key(params);
  auto& slot = (*databases_)[key];
  const bool first = !slot;
  if (first) slot = std::make_shared<Database>();
  Database& database = *slot;
  database.subscribers[target] = subscriber;
  if (first) {
    DdlListener::Events events;
    events.listening = [this, key](bool up) { connection_changed(key, up); };
    events.subscribed = [this, key] {
      each_subscriber(key, [](const Subscriber& s) { s.subscribed(); });
    };
    events.changed = [this, key](const std::vector<Notification>& notifications) {
      auto it = databases_->find(key);
      if (it == databases_->end()) return;
      const std::shared_ptr<Database> database = it->second;
      std::vector<Notification> batch = notifications;
      if (take_probes(*database, batch) && !database->proven) {
        database->proven = true;
        spdlog::info("{}: notifications arrive over the LISTEN connection", label(*database));
        each_subscriber(key, [](const Subscriber& s) { s.listening(true); });
      }
      if (batch.empty()) return;
      each_subscriber(key, [&batch](const Subscriber& s) { s.changed(batch); });
    };
    database.listener = std::make_shared<DdlListener>(executor_, label(database), params, timeout,
                                                      std::move(events), count_internal_error_);
    asio::co_spawn(executor_, database.listener->run(),
                   report_escape(count_internal_error_, "listener"));
  } else {
    database.listener->set_label(label(database));
    if (database.proven) subscriber.listening(true);
  }
  return std::unique_ptr<Subscription>(new Subscription(databases_, key, target));
}

void ListenerHub::leave(Databases& databases, const std::string& key, const std::string& target) {
  auto it = databases.find(key);
  if (it == databases.end()) return;
  Database& database = *it->second;
  database.subscribers.erase(target);
  if (database.subscribers.empty()) {
    database.listener->stop();  // says nothing more
    databases.erase(it);
    return;
  }
  database.listener->set_label(label(database));
}

void ListenerHub::each_subscriber(const std::string& key,
                                  const std::function<void(const Subscriber&)>& event) {
  auto it = databases_->find(key);
  if (it == databases_->end()) return;
  const std::shared_ptr<Database> database = it->second;  // alive while handlers run
  std::vector<std::string> targets;
  for (const auto& [target, subscriber] : database->subscribers) targets.push_back(target);
  for (const auto& target : targets) {
    auto s = database->subscribers.find(target);
    if (s == database->subscribers.end()) continue;
    const Subscriber subscriber = s->second;  // a copy: the handler may erase the entry
    event(subscriber);
  }
}

void ListenerHub::connection_changed(const std::string& key, bool up) {
  auto it = databases_->find(key);
  if (it == databases_->end()) return;
  Database& database = *it->second;
  database.up = up;
  database.proven = false;
  if (up) {
    // A fresh nonce per connection: a probe of an earlier one, or another daemon's, proves nothing.
    std::random_device random;
    database.probe =
        std::string(kListenProbePrefix) + std::to_string(random()) + "-" + std::to_string(random());
    return;  // listening(true) once the probe is back
  }
  each_subscriber(key, [](const Subscriber& s) { s.listening(false); });
}

bool ListenerHub::take_probes(Database& database, std::vector<Notification>& batch) {
  bool ours = false;
  std::erase_if(batch, [&](const Notification& n) {
    if (!n.payload.starts_with(kListenProbePrefix)) return false;
    ours = ours || (database.up && n.payload == database.probe);
    return true;
  });
  return ours;
}

ListenerHub::Subscription::~Subscription() {
  if (auto databases = databases_.lock()) leave(*databases, key_, target_);
}

bool ListenerHub::Subscription::listening() const {
  auto databases = databases_.lock();
  if (!databases) return false;
  auto it = databases->find(key_);
  return it != databases->end() && it->second->proven;
}

std::optional<std::string> ListenerHub::Subscription::pending_probe() const {
  auto databases = databases_.lock();
  if (!databases) return std::nullopt;
  auto it = databases->find(key_);
  if (it == databases->end() || !it->second->up || it->second->proven) return std::nullopt;
  return it->second->probe;
}

}  // namespace enumwatch
