#include "http/page/status_view.hpp"

#include "alerting/dispatcher.hpp"
#include "poll/scheduler.hpp"
#include "snapshots/registry.hpp"
#include "version.hpp"

namespace enumwatch {

StatusPage gather_status_page(const Scheduler& scheduler, const SnapshotRegistry& registry,
                              const AlertDispatcher& alerts, const Config& config,
                              ReloadView reload) {
  StatusPage page;
  page.now = std::chrono::system_clock::now();
  page.version = kVersion;
  page.targets = scheduler.reports();
  for (const auto& t : config.targets) page.labels[t.name] = t.labels;
  for (const auto& [name, loaded] : registry.all()) {
    SnapshotView view;
    view.name = name;
    view.file_managed = loaded.file_managed;
    if (loaded.current) {
      view.registered = true;
      view.digest = loaded.current->digest;
      view.revision = loaded.current->snapshot->revision;
      view.source = loaded.current->snapshot->source;
      if (!loaded.file_managed) {
        view.registered_at = loaded.current->registered_at;
        view.history = registry.store().history(name);
      }
    }
    page.snapshots.push_back(std::move(view));
  }
  for (const auto& [kind, status] : alerts.receivers()) {
    ReceiverView view;
    view.label = status.label;
    view.kind = kind == AlertReceiver::Kind::alertmanager ? "alertmanager" : "webhook";
    view.last_delivery = status.last_delivery;
    view.last_failure = status.last_failure;
    view.last_error = status.last_error;
    view.queued = status.queued;
    page.receivers.push_back(std::move(view));
  }
  page.reload = std::move(reload);
  return page;
}

}  // namespace enumwatch
