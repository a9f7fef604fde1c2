// Series whose label sets come and go (per enum, per revision, per shard): added when first seen,
// removed when a new set no longer has them, so that a scrape never shows a series that stopped
// being true.
#pragma once

#include <prometheus/family.h>
#include <prometheus/labels.h>

#include <map>

namespace enumwatch {

template <typename Metric>
class DynamicSeries {
 public:
  explicit DynamicSeries(prometheus::Family<Metric>& family) : family_(family) {}

  // Replaces every series whose labels match `owner` with `wanted` (labels -> value).
  void replace(const prometheus::Labels& owner,
               const std::map<prometheus::Labels, double>& wanted) {
    for (auto it = series_.begin(); it != series_.end();) {
      if (owned_by(it->first, owner) && !wanted.contains(it->first)) {
        family_.Remove(it->second);
        it = series_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [labels, value] : wanted) {
      auto [it, inserted] = series_.try_emplace(labels, nullptr);
      if (inserted) it->second = &family_.Add(labels);
      it->second->Set(value);
    }
  }

 private:
  static bool owned_by(const prometheus::Labels& labels, const prometheus::Labels& owner) {
    for (const auto& [k, v] : owner) {
      auto it = labels.find(k);
      if (it == labels.end() || it->second != v) return false;
    }
    return true;
  }

  prometheus::Family<Metric>& family_;
  std::map<prometheus::Labels, Metric*> series_;
};

}  // namespace enumwatch
