// The status page's view model: what the page shows, gathered from the running daemon's parts
// (targets from the scheduler, snapshots from the registry, receivers from the dispatcher).
#pragma once

#include "enumwatch/config/config.hpp"
#include "http/page/status_page.hpp"

namespace enumwatch {

class AlertDispatcher;
class Scheduler;
class SnapshotRegistry;

[[nodiscard]] StatusPage gather_status_page(const Scheduler& scheduler,
                                            const SnapshotRegistry& registry,
                                            const AlertDispatcher& alerts, const Config& config,
                                            ReloadView reload);

}  // namespace enumwatch
