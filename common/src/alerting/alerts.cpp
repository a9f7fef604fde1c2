#include "enumwatch/alerting/alerts.hpp"

#include "enumwatch/core/sha256.hpp"

#include <boost/json.hpp>
#include <set>

#include "enumwatch/core/error.hpp"

#include "enumwatch/report/report.hpp"
#include "enumwatch/sql/remediation.hpp"

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
    if (!i->impact.empty()) description += " (" + impact_text(*i) + ")";
    if (i->changed_by) description += "; changed by " + changed_by_text(*i->changed_by);
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
    // Held back while a migration is in flight (docs/migration-locks.md): it alerts, if it lasts,
    // once the migration ends or seems stuck.
    if (item.migrating) continue;
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
      ++version_;
      continue;
    }
    State& state = it->second;
    state.drift_for = drift_for;
    Alert content = build_alert(key, target_labels, items, settings_);
    if (content.labels != state.alert.labels || content.annotations != state.alert.annotations) {
      content.starts_at = state.alert.starts_at;
      state.alert = std::move(content);
      state.changed = true;
      ++version_;
    }
  }
  for (auto it = states_.begin(); it != states_.end();) {
    State& state = it->second;
    if (it->first.target != target || drifting.contains(it->first) || state.alert.resolved) {
      ++it;
      continue;
    }
    ++version_;
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
      continue;
    }
    ++version_;
    if (!it->second.firing) {
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
      ++version_;
    }
    if (alert.resolved && now - alert.ends_at > kResolvedResendWindow) {
      it = states_.erase(it);
      ++version_;
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

std::vector<Alert> AlertTracker::active(TimePoint now) const {
  std::vector<Alert> out;
  for (const auto& [key, state] : states_) {
    if (!state.firing) continue;
    Alert alert = state.alert;
    if (!alert.resolved) alert.ends_at = now + 4 * settings_.resend_interval;
    out.push_back(std::move(alert));
  }
  return out;
}

std::size_t AlertTracker::firing_count() const {
  std::size_t n = 0;
  for (const auto& [key, state] : states_) n += state.firing && !state.alert.resolved ? 1 : 0;
  return n;
}

namespace {

std::int64_t to_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint from_ms(std::int64_t ms) {
  return TimePoint(std::chrono::milliseconds(ms));
}
std::map<std::string, std::string> string_map_of(const boost::json::value& v) {
  std::map<std::string, std::string> out;
  for (const auto& [k, value] : v.as_object()) out[std::string(k)] = std::string(value.as_string());
  return out;
}

}  // namespace

boost::json::value AlertTracker::persisted() const {
  boost::json::array alerts;
  for (const auto& [key, state] : states_) {
    boost::json::object o;
    o["target"] = key.target;
    o["schema"] = key.schema;
    o["enum"] = key.enum_name;
    o["labels"] = string_map(state.alert.labels);
    o["annotations"] = string_map(state.alert.annotations);
    o["first_seen_ms"] = to_ms(state.first_seen);
    o["drift_for_ms"] = state.drift_for.count();
    o["firing"] = state.firing;
    o["starts_at_ms"] = to_ms(state.alert.starts_at);
    o["resolved"] = state.alert.resolved;
    o["ends_at_ms"] = to_ms(state.alert.ends_at);
    alerts.push_back(std::move(o));
  }
  return boost::json::object{{"version", 1}, {"alerts", std::move(alerts)}};
}

void AlertTracker::restore(const boost::json::value& persisted,
                           const std::vector<std::string>& targets, TimePoint now) {
  std::map<AlertKey, State> states;
  try {
    const auto& root = persisted.as_object();
    if (root.at("version").to_number<int>() != 1) throw Error("unknown version");
    for (const auto& entry : root.at("alerts").as_array()) {
      const auto& o = entry.as_object();
      State state;
      state.alert.key = {std::string(o.at("target").as_string()),
                         std::string(o.at("schema").as_string()),
                         std::string(o.at("enum").as_string())};
      state.alert.labels = string_map_of(o.at("labels"));
      state.alert.annotations = string_map_of(o.at("annotations"));
      state.first_seen = from_ms(o.at("first_seen_ms").to_number<std::int64_t>());
      state.drift_for = Duration(o.at("drift_for_ms").to_number<std::int64_t>());
      state.firing = o.at("firing").as_bool();
      state.alert.starts_at = from_ms(o.at("starts_at_ms").to_number<std::int64_t>());
      state.alert.resolved = o.at("resolved").as_bool();
      state.alert.ends_at = from_ms(o.at("ends_at_ms").to_number<std::int64_t>());
      state.changed = state.firing || state.alert.resolved;  // due at once after a restart
      states.emplace(state.alert.key, std::move(state));
    }
  } catch (const std::exception& e) {
    throw Error(std::string("persisted alert state is malformed: ") + e.what());
  }
  states_ = std::move(states);
  ++version_;
  std::set<std::string> known(targets.begin(), targets.end());
  std::set<std::string> gone;
  for (const auto& [key, state] : states_) {
    if (!known.contains(key.target)) gone.insert(key.target);
  }
  for (const auto& target : gone) forget_target(target, now);
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
    if (!external_url.empty()) o["generatorURL"] = external_url + "/targets/" + a.key.target;
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
    o["generatorURL"] = external_url.empty() ? "" : external_url + "/targets/" + a.key.target;
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
