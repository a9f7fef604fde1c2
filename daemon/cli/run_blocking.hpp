// Runs one coroutine to completion on a private io_context: how the one-shot commands use the
// same asynchronous client as the daemon.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace enumwatch {

template <typename Make>
auto run_blocking(Make make) {
  boost::asio::io_context io;
  auto result = boost::asio::co_spawn(io, make(), boost::asio::use_future);
  io.run();
  return result.get();  // rethrows what the coroutine threw
}

}  // namespace enumwatch
