#include "metrics/exposition.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace enumwatch::exposition {

namespace {

void append_label_value(std::string& out, std::string_view value) {
  // Target names are [A-Za-z0-9_.-] (docs/configuration.md), so the loop is for other labels.
  if (std::none_of(value.begin(), value.end(),
                   [](char c) { return c == '\\' || c == '"' || c == '\n'; })) {
    out += value;
    return;
  }
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
}

void append_label(std::string& out, std::string_view key, std::string_view value) {
  out += key;
  out += "=\"";
  append_label_value(out, value);
  out += '"';
}

}  // namespace

void append_number(std::string& out, double value) {
  char buf[32];
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else if (value == std::floor(value) && std::fabs(value) < 1e15) {
    auto [end, ec] =
        std::to_chars(buf, buf + sizeof buf, static_cast<long long>(value));  // counts: cheap
    out.append(buf, end);
  } else {
    // %.16g, as prometheus-cpp writes (max_digits10 - 1): 1700000000.123, not ...1230001.
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 16);
    out.append(buf, end);
  }
}

void append_sample(std::string& out, std::string_view name, const SampleLabels& labels,
                   double value) {
  out += name;
  out += '{';
  const bool key_first = labels.key < std::string_view("target");
  if (!labels.key.empty() && key_first) {
    append_label(out, labels.key, labels.value);
    out += ',';
  }
  append_label(out, "target", labels.target);
  if (!labels.key.empty() && !key_first) {
    out += ',';
    append_label(out, labels.key, labels.value);
  }
  if (!labels.le.empty()) {
    out += ',';
    append_label(out, "le", labels.le);
  }
  out += "} ";
  append_number(out, value);
  out += '\n';
}

void append_histogram(std::string& out, std::string_view name, std::string_view target,
                      const prometheus::ClientMetric::Histogram& h) {
  const std::string bucket = std::string(name) + "_bucket";
  std::string le;
  for (const auto& b : h.bucket) {
    le.clear();
    append_number(le, b.upper_bound);
    append_sample(out, bucket, {target, {}, {}, le}, static_cast<double>(b.cumulative_count));
  }
  append_sample(out, std::string(name) + "_sum", {target}, h.sample_sum);
  append_sample(out, std::string(name) + "_count", {target}, static_cast<double>(h.sample_count));
}

void append_family_header(std::string& out, std::string_view name, std::string_view help,
                          std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace enumwatch::exposition
