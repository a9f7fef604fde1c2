#include "enumwatch/core/backoff.hpp"

#include <algorithm>

namespace enumwatch {

std::chrono::milliseconds exponential_backoff(std::chrono::milliseconds base, int failures,
                                              std::chrono::milliseconds cap) {
  if (failures <= 1 || base >= cap) return base;
  std::chrono::milliseconds delay = base;
  // Doubling stops at the cap, so no failure count can overflow it.
  for (int i = 1; i < failures && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

}  // namespace enumwatch
