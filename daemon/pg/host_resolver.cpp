#include "pg/host_resolver.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <memory>
#include <mutex>

#include "pg/connection.hpp"

namespace enumwatch {
namespace asio = boost::asio;

namespace {

// One waiter of a lookup: where to wake it, and its timer, which only the waiter owns. The pool
// thread never holds the timer itself: a timer destroyed on that thread could outlive its
// io_context (a command's loop ends as soon as its last poll does).
struct Waiter {
  asio::any_io_executor executor;
  std::weak_ptr<asio::steady_timer> timer;
};

// One lookup in flight, shared by everyone waiting for the same name.
struct Lookup {
  std::mutex mutex;
  bool done = false;
  std::vector<std::string> addresses;
  std::string error;
  // Registered by each waiting coroutine for as long as its frame lives (WaiterRegistration).
  std::vector<Waiter*> waiters;
};

// Removes a waiter from its lookup when the waiting frame ends, however it ends. The pool thread
// posts its wake-ups under the same mutex, so it only ever posts to the executor of a frame that
// still exists, hence of an io_context that still exists.
class WaiterRegistration {
 public:
  WaiterRegistration(std::shared_ptr<Lookup> lookup, Waiter& waiter)
      : lookup_(std::move(lookup)), waiter_(waiter) {
    std::lock_guard lock(lookup_->mutex);
    if (!lookup_->done) lookup_->waiters.push_back(&waiter_);
  }
  ~WaiterRegistration() {
    std::lock_guard lock(lookup_->mutex);
    std::erase(lookup_->waiters, &waiter_);
  }
  WaiterRegistration(const WaiterRegistration&) = delete;
  WaiterRegistration& operator=(const WaiterRegistration&) = delete;

 private:
  std::shared_ptr<Lookup> lookup_;
  Waiter& waiter_;
};

struct Resolver {
  asio::thread_pool pool{4};
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<Lookup>> in_flight;

  // Never destroyed: destroying the pool would join a thread that may sit in a getaddrinfo the
  // DNS server never answers, and hold up the daemon's exit by that long.
  static Resolver& instance() {
    static Resolver* const resolver = std::make_unique<Resolver>().release();
    return *resolver;
  }

  std::shared_ptr<Lookup> start(const std::string& host) {
    std::lock_guard lock(mutex);
    if (auto it = in_flight.find(host); it != in_flight.end()) return it->second;
    auto lookup = std::make_shared<Lookup>();
    in_flight.emplace(host, lookup);
    asio::post(pool, [this, host, lookup] { run(host, *lookup); });
    return lookup;
  }

  void run(const std::string& host, Lookup& lookup) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(found, &::freeaddrinfo);
    std::vector<std::string> addresses;
    for (const addrinfo* a = found; rc == 0 && a; a = a->ai_next) {
      char text[NI_MAXHOST];
      if (::getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) ==
              0 &&
          std::find(addresses.begin(), addresses.end(), text) == addresses.end()) {
        addresses.emplace_back(text);
      }
    }
    {
      std::lock_guard lock(mutex);
      in_flight.erase(host);
    }
    std::lock_guard lock(lookup.mutex);
    lookup.done = true;
    lookup.addresses = std::move(addresses);
    if (rc != 0) lookup.error = ::gai_strerror(rc);
    for (const Waiter* waiter : lookup.waiters) {
      // Cancelled on the timer's own thread (timers are not thread-safe), and only if its frame
      // is still there when the wake-up runs.
      asio::post(waiter->executor, [timer = waiter->timer] {
        if (auto alive = timer.lock()) alive->cancel();
      });
    }
    lookup.waiters.clear();
  }
};

}  // namespace

asio::awaitable<std::vector<std::string>> resolve_host(
    const std::string& host, std::chrono::steady_clock::time_point deadline) {
  auto lookup = Resolver::instance().start(host);
  const auto executor = co_await asio::this_coro::executor;
  auto wake = std::make_shared<asio::steady_timer>(executor, deadline);
  Waiter waiter{executor, wake};
  const WaiterRegistration registration(lookup, waiter);
  boost::system::error_code ec;
  for (;;) {
    {
      std::lock_guard lock(lookup->mutex);
      if (lookup->done) {
        if (!lookup->error.empty() || lookup->addresses.empty()) {
          throw PgError(PgError::Kind::connect,
                        "cannot resolve host \"" + host +
                            "\": " + (lookup->error.empty() ? "no address" : lookup->error));
        }
        co_return lookup->addresses;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw PgError(PgError::Kind::timeout,
                    "timed out resolving host \"" + host + "\" (its DNS server does not answer)");
    }
    co_await wake->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace enumwatch
