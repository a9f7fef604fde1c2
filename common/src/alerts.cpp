#include "enumwatch/alerts.hpp"

#include "enumwatch/sha256.hpp"

#include <boost/json.hpp>

#include "enumwatch/remediation.hpp"
#include "enumwatch/report.hpp"

namespace enumwatch {
namespace {

Alert build_alert(const AlertKey& key, const std::map<std::string, std::string>& target_labels,
                  const std::vector<const DriftItem*>& items, const AlertSettings& settings) {
  Alert alert;
  alert.key = key;
  Severity worst = Severity::info;
  for (const auto* i : items) worst = std::max(worst, i->severity());
  alert.labels = target_labels;
  alert.labels["alertname"] = "EnumDrift";
  alert.labels["target"] = key.target;
  alert.labels["schema"] = key.schema;
  alert.labels["enum"] = key.enum_name;
  alert.labels["severity"] = std::string(to_string(worst));

  std::string kinds, description;
  std::vector<DriftItem> owned;
  for (const auto* i : items) {
    const std::string kind(to_string(i->kind));
    if (kinds.find(kind) == std::string::npos) kinds += (kinds.empty() ? "" : ", ") + kind;
    description += (description.empty() ? "" : "\n") + kind + ": " + i->message;
    owned.push_back(*i);
  }
  alert.annotations["summary"] = "Enum " + key.schema + "." + key.enum_name + " on " + key.target +
                                 " drifts (" + std::string(to_string(worst)) + "): " + kinds;
  alert.annotations["description"] = description;
  const std::string sql = remediation_script(owned);
  if (!sql.empty()) alert.annotations["remediation"] = sql;
  if (!settings.runbook_url.empty()) alert.annotations["runbook_url"] = settings.runbook_url;
  return alert;
}

boost::json::object string_map(const std::map<std::string, std::string>& m) {
  boost::json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

std::string fingerprint(const Alert& alert) {
  std::string text;
  for (const auto& [k, v] : alert.labels) text += k + '\0' + v + '\0';
  return sha256_hex(text).substr(0, 16);
}

}  // namespace

void AlertTracker::observe(const std::string& target,
                           const std::map<std::string, std::string>& target_labels,
                           Duration drift_for, std::span<const DriftItem> drift, TimePoint now) {
  std::map<AlertKey, std::vector<const DriftItem*>> drifting;
  for (const auto& item : drift) {
    if (item.enum_name.empty()) continue;  // revision_mismatch: about the target, not an enum
    drifting[{target, item.schema, item.enum_name}].push_back(&item);
  }
  for (const auto& [key, items] : drifting) {
    auto it = states_.find(key);
    if (it == states_.end() || it->second.alert.resolved) {
      State state;
      state.alert = build_alert(key, target_labels, items, settings_);
      state.first_seen = now;
      state.drift_for = drift_for;
      states_[key] = std::move(state);
      continue;
    }
    State& state = it->second;
    state.drift_for = drift_for;
    Alert content = build_alert(key, target_labels, items, settings_);
    if (content.labels != state.alert.labels || content.annotations != state.alert.annotations) {
      content.starts_at = state.alert.starts_at;
      state.alert = std::move(content);
      state.changed = true;
    }
  }
  for (auto it = states_.begin(); it != states_.end();) {
    State& state = it->second;
    if (it->first.target != target || drifting.contains(it->first) || state.alert.resolved) {
      ++it;
      continue;
    }
    if (!state.firing) {
      it = states_.erase(it);  // gone before drift_for elapsed: never fired, nothing to resolve
      continue;
    }
    state.alert.resolved = true;
    state.alert.ends_at = now;
    state.changed = true;
    ++it;
  }
}

void AlertTracker::forget_target(const std::string& target, TimePoint now) {
  for (auto it = states_.begin(); it != states_.end();) {
    if (it->first.target != target || it->second.alert.resolved) {
      ++it;
    } else if (!it->second.firing) {
      it = states_.erase(it);
    } else {
      it->second.alert.resolved = true;
      it->second.alert.ends_at = now;
      it->second.changed = true;
      ++it;
    }
  }
}

std::vector<Alert> AlertTracker::due(TimePoint now) {
  std::vector<Alert> out;
  const auto resend = settings_.resend_interval;
  for (auto it = states_.begin(); it != states_.end();) {
    State& state = it->second;
    Alert& alert = state.alert;
    if (!state.firing && !alert.resolved) {
      if (now - state.first_seen < state.drift_for) {
        ++it;
        continue;
      }
      state.firing = true;
      state.changed = true;
      alert.starts_at = now;
    }
    if (alert.resolved && now - alert.ends_at > kResolvedResendWindow) {
      it = states_.erase(it);
      continue;
    }
    if (state.changed || !state.last_sent || now - *state.last_sent >= resend) {
      if (!alert.resolved) alert.ends_at = now + 4 * resend;
      state.changed = false;
      state.last_sent = now;
      out.push_back(alert);
    }
    ++it;
  }
  return out;
}

std::size_t AlertTracker::firing_count() const {
  std::size_t n = 0;
  for (const auto& [key, state] : states_) n += state.firing && !state.alert.resolved ? 1 : 0;
  return n;
}

void AlertQueue::push(std::span<const Alert> alerts) {
  for (const auto& alert : alerts) queued_.insert_or_assign(alert.key, alert);
}

std::vector<Alert> AlertQueue::take(std::size_t limit) {
  std::vector<Alert> batch;
  while (!queued_.empty() && batch.size() < limit) {
    batch.push_back(std::move(queued_.begin()->second));
    queued_.erase(queued_.begin());
  }
  return batch;
}

void AlertQueue::give_back(std::vector<Alert> batch) {
  for (auto& alert : batch) queued_.try_emplace(alert.key, std::move(alert));  // newer states win
}

boost::json::value alertmanager_body(std::span<const Alert> alerts,
                                     const std::string& external_url) {
  boost::json::array out;
  for (const auto& a : alerts) {
    boost::json::object o;
    o["labels"] = string_map(a.labels);
    o["annotations"] = string_map(a.annotations);
    o["startsAt"] = format_timestamp(a.starts_at);
    o["endsAt"] = format_timestamp(a.ends_at);
    if (!external_url.empty()) o["generatorURL"] = external_url + "/api/v1/targets/" + a.key.target;
    out.push_back(std::move(o));
  }
  return out;
}

boost::json::value webhook_body(std::span<const Alert> alerts, const std::string& external_url) {
  boost::json::array list;
  bool any_firing = false;
  for (const auto& a : alerts) {
    any_firing = any_firing || !a.resolved;
    boost::json::object o;
    o["status"] = a.resolved ? "resolved" : "firing";
    o["labels"] = string_map(a.labels);
    o["annotations"] = string_map(a.annotations);
    o["startsAt"] = format_timestamp(a.starts_at);
    o["endsAt"] = format_timestamp(a.ends_at);
    o["generatorURL"] =
        external_url.empty() ? "" : external_url + "/api/v1/targets/" + a.key.target;
    o["fingerprint"] = fingerprint(a);
    list.push_back(std::move(o));
  }
  boost::json::object body;
  body["version"] = "4";
  body["groupKey"] = "{}:{alertname=\"EnumDrift\"}";
  body["truncatedAlerts"] = 0;
  body["status"] = any_firing ? "firing" : "resolved";
  body["receiver"] = "enumwatch";
  body["groupLabels"] = boost::json::object{{"alertname", "EnumDrift"}};
  body["commonLabels"] = boost::json::object{{"alertname", "EnumDrift"}};
  body["commonAnnotations"] = boost::json::object{};
  body["externalURL"] = external_url;
  body["alerts"] = std::move(list);
  return body;
}

}  // namespace enumwatch
