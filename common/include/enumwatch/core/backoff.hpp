// Exponential backoff, the one rule every retry loop uses (polls, the LISTEN connection, alert
// receivers): the base after the first failure, doubled after each further one, never past cap.
#pragma once

#include <chrono>

namespace enumwatch {

// base · 2^(failures − 1), at most cap; base itself for failures ≤ 1 (or a cap below it).
[[nodiscard]] std::chrono::milliseconds exponential_backoff(std::chrono::milliseconds base,
                                                            int failures,
                                                            std::chrono::milliseconds cap);

}  // namespace enumwatch
