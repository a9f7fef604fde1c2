// Host name lookups for the libpq client that never block the event loop and never queue behind
// one another. getaddrinfo cannot be cancelled, and Asio's resolver runs every lookup of an
// io_context on one background thread, so one name whose DNS server hangs would delay every
// other target. Here lookups run on a small pool of their own, a name already being looked up
// is joined rather than asked again, and the waiting side gives up at its deadline (the lookup
// finishes, or not, in the background).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace enumwatch {

// The addresses of `host`, as text, in getaddrinfo's order. Throws PgError: kind timeout at the
// deadline, kind connect when the name does not resolve.
[[nodiscard]] boost::asio::awaitable<std::vector<std::string>> resolve_host(
    const std::string& host, std::chrono::steady_clock::time_point deadline);

}  // namespace enumwatch
