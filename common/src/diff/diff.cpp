#include "enumwatch/diff/diff.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>

#include "enumwatch/catalog/check_constraint.hpp"
#include "enumwatch/core/utf8.hpp"
#include "enumwatch/sql/remediation.hpp"

namespace enumwatch {
namespace {

std::string q(std::string_view s) {
  return '"' + std::string(s) + '"';
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::vector<std::string> keep_only(const std::vector<std::string>& list,
                                   const std::vector<std::string>& allowed) {
  std::vector<std::string> out;
  for (const auto& v : list) {
    if (contains(allowed, v)) out.push_back(v);
  }
  return out;
}

std::vector<std::string> display_uses(const std::vector<ColumnUse>& uses) {
  std::vector<std::string> out;
  for (const auto& u : uses) out.push_back(u.display());
  return out;
}

// Pairs each missing value with the first unexpected one that differs only in spelling, and
// takes both out of their lists: (snapshot, database) spellings.
std::vector<std::pair<std::string, std::string>> pair_spellings(
    std::vector<std::string>& missing, std::vector<std::string>& unexpected) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (auto m = missing.begin(); m != missing.end();) {
    auto u = std::find_if(unexpected.begin(), unexpected.end(), [&](const std::string& x) {
      return fold_spelling(x) == fold_spelling(*m);
    });
    if (u == unexpected.end()) {
      ++m;
      continue;
    }
    pairs.emplace_back(*m, *u);
    unexpected.erase(u);
    m = missing.erase(m);
  }
  return pairs;
}

// The snapshot value a default of `value` should be: the same spelling once folded.
std::optional<std::string> folded_match(const std::vector<std::string>& values,
                                        const std::string& value) {
  for (const auto& v : values) {
    if (fold_spelling(v) == fold_spelling(value)) return v;
  }
  return std::nullopt;
}

std::string quoted_list(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + q(v);
  return out;
}

// Where a default comes from: a column's own DEFAULT, or (when it has none) the DEFAULT of the
// domain it is typed with.
struct DefaultSource {
  std::string schema, table, column;
  std::optional<TypeName> domain;

  [[nodiscard]] std::string where() const { return schema + "." + table + "." + column; }
  // The statement that sets it, and how the message and the comment name it.
  [[nodiscard]] std::string set_sql(std::string_view value) const {
    return domain ? set_domain_default_sql(*domain, value)
                  : set_default_sql(schema, table, column, value);
  }
  [[nodiscard]] std::string subject() const {
    return domain ? "column " + where() + " takes the default of domain " + domain->display() + ", "
                  : "column " + where() + " defaults to ";
  }
  [[nodiscard]] std::string owner() const {
    return domain ? "domain " + domain->display() : where();
  }
  [[nodiscard]] std::string whose() const { return domain ? "the domain's" : "the column's"; }
};

constexpr std::string_view kDefaultHarm =
    ": inserts that rely on the default write a value the code cannot read";

// A default_mismatch item when the default is one literal the snapshot lacks.
void diff_scalar_default(const DriftItem& base, const DefaultSource& source,
                         const std::string& value, const std::vector<std::string>& snapshot_values,
                         std::vector<DriftItem>& out) {
  if (contains(snapshot_values, value)) return;
  DriftItem item = base;
  item.kind = DriftKind::default_mismatch;
  item.used_by = {source.where()};
  const auto match = folded_match(snapshot_values, value);
  item.expected = match ? DriftSide(*match) : DriftSide(std::monostate{});
  item.actual = value;
  item.message =
      source.subject() + q(value) + ", which the snapshot lacks" + std::string(kDefaultHarm);
  if (match) {
    item.remediation_sql = source.set_sql(*match);
  } else {
    item.remediation_sql = "-- " + sql_comment(source.owner()) + " defaults to " +
                           sql_comment(quote_literal(value)) +
                           ": choose which of the snapshot's values it should be, then run\n-- " +
                           sql_comment(source.set_sql("<value>"));
  }
  item.code_fix =
      match ? "if the code means " + q(value) + ", spell it " + q(value) +
                  " in the code's enum as the database does"
            : "add " + q(value) + " to the code's enum, or change " + source.whose() + " default";
  out.push_back(std::move(item));
}

// default_mismatch items when the default is a literal array holding elements the snapshot
// lacks: one per such element (each once, in the array's order), whose `actual` is that element
// and `expected` its case-folded match, as for a single value (drift items keep strings for value
// kinds). Every item has the same fix: the whole array, each lacking element replaced by its match
// when all have one (a script runs it once), else a comment.
void diff_array_default(const DriftItem& base, const DefaultSource& source,
                        const ArrayDefault& array, const std::vector<std::string>& snapshot_values,
                        std::vector<DriftItem>& out) {
  std::vector<std::string> lacking;
  for (const auto& element : array.elements) {
    if (element && !contains(snapshot_values, *element) && !contains(lacking, *element))
      lacking.push_back(*element);
  }
  if (lacking.empty()) return;
  std::vector<std::optional<std::string>> matches;
  for (const auto& value : lacking) matches.push_back(folded_match(snapshot_values, value));
  const bool all_match =
      std::all_of(matches.begin(), matches.end(), [](const auto& m) { return m.has_value(); });
  const std::string text = array_text(array);
  std::string remediation;
  if (all_match) {
    ArrayDefault fixed = array;
    for (auto& element : fixed.elements) {
      if (!element) continue;
      const auto at = std::find(lacking.begin(), lacking.end(), *element);
      if (at != lacking.end()) element = matches[static_cast<std::size_t>(at - lacking.begin())];
    }
    remediation = source.set_sql(array_text(fixed));
  } else {
    remediation = "-- " + sql_comment(source.owner()) + " defaults to " +
                  sql_comment(quote_literal(text)) + ", whose " +
                  (lacking.size() == 1 ? "element " : "elements ") +
                  sql_comment(quoted_list(lacking)) +
                  " the snapshot lacks: choose which of the snapshot's values it should hold, "
                  "then run\n-- " +
                  sql_comment(source.set_sql("{<values>}"));
  }
  for (std::size_t i = 0; i < lacking.size(); ++i) {
    const std::string& value = lacking[i];
    DriftItem item = base;
    item.kind = DriftKind::default_mismatch;
    item.used_by = {source.where()};
    item.expected = matches[i] ? DriftSide(*matches[i]) : DriftSide(std::monostate{});
    item.actual = value;
    item.message = source.subject() + text + ", whose element " + q(value) + " the snapshot lacks" +
                   std::string(kDefaultHarm);
    item.remediation_sql = remediation;
    item.code_fix = matches[i] ? "if the code means " + q(value) + ", spell it " + q(value) +
                                     " in the code's enum as the database does"
                               : "add " + q(value) + " to the code's enum, or change " +
                                     source.whose() + " default";
    out.push_back(std::move(item));
  }
}

// A default_mismatch item when the default (`expression`, as pg_get_expr printed it) is one
// literal or a literal array (check_constraint.hpp) naming a value the snapshot lacks. Any other
// expression (now(), a function building an array, NULL) is not read.
void diff_default(const DriftItem& base, const DefaultSource& source, const std::string& expression,
                  const std::vector<std::string>& snapshot_values, std::vector<DriftItem>& out) {
  if (const auto value = parse_literal_default(expression)) {
    diff_scalar_default(base, source, *value, snapshot_values, out);
  } else if (const auto array = parse_array_default(expression)) {
    diff_array_default(base, source, *array, snapshot_values, out);
  }
}

// A column's default: its own, or else its domain's.
void diff_column_default(const DriftItem& base, const ColumnUse& use,
                         const std::vector<std::string>& snapshot_values,
                         std::vector<DriftItem>& out) {
  DefaultSource source{use.schema, use.table, use.column, std::nullopt};
  if (use.default_expr && !use.default_expr->empty()) {
    diff_default(base, source, *use.default_expr, snapshot_values, out);
  } else if (use.domain_default) {
    source.domain = use.domain_default->domain;
    diff_default(base, source, use.domain_default->expr, snapshot_values, out);
  }
}

// Diffs one CHECK-constraint enum that both sides have: values are a set (no order).
void diff_check(const DriftItem& base, const CheckColumn& expected, const CheckColumn& actual,
                const DiffOptions& options, std::vector<DriftItem>& out) {
  std::vector<std::string> missing, unexpected;
  for (const auto& v : expected.values) {
    if (!contains(actual.values, v)) missing.push_back(v);
  }
  for (const auto& v : actual.values) {
    if (!contains(expected.values, v)) unexpected.push_back(v);
  }
  const auto pairs = pair_spellings(missing, unexpected);
  std::optional<std::string> swap;
  if (!missing.empty() || !unexpected.empty() || !pairs.empty())
    swap = check_swap_sql({expected, actual.constraints, options.lock_timeout,
                           actual.kept_conjuncts, actual.unrewritable, actual.domain});
  auto add = [&](DriftKind kind, DriftSide want, DriftSide have) -> DriftItem& {
    DriftItem item = base;
    item.kind = kind;
    item.expected = std::move(want);
    item.actual = std::move(have);
    item.remediation_sql = swap;
    out.push_back(std::move(item));
    return out.back();
  };
  const std::string what = "the CHECK constraint on " + expected.display();
  for (const auto& [snap, db] : pairs) {
    auto& item = add(DriftKind::case_mismatch, snap, db);
    item.message = "the code writes " + q(snap) + " but " + what + " spells it " + q(db) +
                   ": writes of " + q(snap) + " fail";
    item.code_fix = "change the code's value " + q(snap) + " to the database's spelling " + q(db) +
                    " (the safer fix: rows holding " + q(db) + " stay valid)";
  }
  for (const auto& m : missing) {
    auto& item = add(DriftKind::missing_value, m, std::monostate{});
    item.message =
        what + " does not allow " + q(m) + ": the application's writes of " + q(m) + " fail";
    item.code_fix = "stop writing " + q(m) + " until the migration that allows it has run";
  }
  for (const auto& u : unexpected) {
    auto& item = add(DriftKind::unexpected_value, std::monostate{}, u);
    item.message =
        what + " allows " + q(u) + ", which the snapshot lacks: reading rows that hold it may fail";
    item.code_fix = "add " + q(u) + " to the code's enum so that rows holding it can be read";
  }
  if (options.naming == NamingPolicy::snake_case) {
    for (const auto& v : actual.values) {
      if (is_snake_case(v)) continue;
      DriftItem item = base;
      item.kind = DriftKind::naming_violation;
      item.actual = v;
      item.message = "value " + q(v) + " is not snake_case";
      item.code_fix = "spell it " + q(to_snake_case(v)) + " in code and database alike";
      out.push_back(std::move(item));
    }
  }
  if (actual.default_expr)
    diff_default(base, {actual.schema, actual.table, actual.column, std::nullopt},
                 *actual.default_expr, expected.values, out);
}

DriftItem check_base(DriftItem base, const CheckColumn& check) {
  base.schema = check.schema;
  base.enum_name = check.table + "." + check.column;
  base.table = check.table;
  base.column = check.column;
  base.used_by = {check.display()};
  return base;
}

// Diffs one enum that both sides have.
class EnumDiff {
 public:
  EnumDiff(DriftItem base, const EnumType& expected, const EnumType& actual,
           const std::vector<ColumnUse>& columns, const TypeDependents* dependents,
           const DiffOptions& options)
      : base_(std::move(base)),
        expected_(expected),
        actual_(actual),
        columns_(columns),
        dependents_(dependents),
        options_(options) {}

  void run(std::vector<DriftItem>& out) {
    const auto& want = expected_.values;
    const auto& have = actual_.values;
    if (want != have) compare_values(out);
    if (options_.naming == NamingPolicy::snake_case) {
      std::set<std::string> reported;
      for (const auto& v : have) {
        if (!is_snake_case(v) && reported.insert(v).second) naming(out, std::monostate{}, v, v);
      }
      for (const auto& v : want) {
        if (!is_snake_case(v) && !contains(have, v) && reported.insert(v).second) {
          naming(out, v, std::monostate{}, v);
        }
      }
    }
    // Every column's default: one literal or a literal array, its own or its domain's.
    for (const auto& use : columns_) diff_column_default(base_, use, want, out);
  }

 private:
  // Everything but naming; only called when the value lists differ (most polls find them equal).
  void compare_values(std::vector<DriftItem>& out) {
    const auto& want = expected_.values;
    const auto& have = actual_.values;
    std::vector<std::string> missing, unexpected;
    for (const auto& v : want) {
      if (!contains(have, v)) missing.push_back(v);
    }
    for (const auto& v : have) {
      if (!contains(want, v)) unexpected.push_back(v);
    }

    const auto pairs = pair_spellings(missing, unexpected);
    // The database as it will be once the renames are applied.
    std::vector<std::string> renamed = have;
    for (const auto& [snap, db] : pairs) *std::find(renamed.begin(), renamed.end(), db) = snap;

    const bool order_differs =
        options_.check_order && keep_only(want, renamed) != keep_only(renamed, want);
    std::optional<std::string> recreate;
    if (!unexpected.empty() || order_differs) {
      std::vector<std::string> dropped;
      for (const auto& v : renamed) {
        if (!contains(want, v)) dropped.push_back(v);
      }
      std::vector<std::pair<std::string, std::string>> renames;
      for (const auto& [snap, db] : pairs) renames.emplace_back(db, snap);
      std::size_t embedded = 0;
      if (dependents_) {
        for (const auto& d : dependents_->objects) embedded += d.definition.size();
      }
      if (options_.max_recipe_bytes != 0 && embedded > options_.max_recipe_bytes) {
        recreate =
            oversized_recipe_notice(expected_.type.name, embedded, options_.max_recipe_bytes);
      } else {
        recreate = recreate_type_sql(RecreatePlan{expected_.type, want, std::move(dropped),
                                                  std::move(renames), columns_, dependents_,
                                                  options_.lock_timeout});
      }
    }

    for (const auto& [snap, db] : pairs) {
      auto& item = add(out, DriftKind::case_mismatch, snap, db);
      item.message = "the code writes " + q(snap) + " but the database spells it " + q(db) +
                     ": writes of " + q(snap) + " fail";
      item.remediation_sql = rename_value_sql(expected_.type, db, snap);
      item.code_fix = "change the code's value " + q(snap) + " to the database's spelling " +
                      q(db) + " (the safer fix: no migration, no lock)";
    }
    for (const auto& m : missing) {
      auto& item = add(out, DriftKind::missing_value, m, std::monostate{});
      item.message = "value " + q(m) +
                     " is missing from the database type: the application's writes of " + q(m) +
                     " fail";
      item.remediation_sql = add_value_sql(expected_.type, m, placement_for(m, renamed));
      item.code_fix = "stop writing " + q(m) + " until the migration that adds it has run";
    }
    for (const auto& u : unexpected) {
      auto& item = add(out, DriftKind::unexpected_value, std::monostate{}, u);
      item.message = "the database has value " + q(u) +
                     " that the snapshot lacks: reading rows that hold it may fail";
      item.remediation_sql = recreate;
      item.code_fix = "add " + q(u) + " to the code's enum so that rows holding it can be read";
    }
    if (order_differs) {
      auto& item = add(out, DriftKind::order_mismatch, want, have);
      item.message =
          "the values are in a different order than in the snapshot: ORDER BY and < on the enum "
          "differ";
      item.remediation_sql = recreate;
      item.code_fix =
          "if the code relies on the database's order, reorder the code's values to match it";
    }
  }

  DriftItem& add(std::vector<DriftItem>& out, DriftKind kind, DriftSide expected,
                 DriftSide actual) {
    // Built on the first item only: most enums of most polls have none.
    if (base_.used_by.empty() && !columns_.empty()) base_.used_by = display_uses(columns_);
    DriftItem item = base_;
    item.kind = kind;
    item.expected = std::move(expected);
    item.actual = std::move(actual);
    out.push_back(std::move(item));
    return out.back();
  }

  void naming(std::vector<DriftItem>& out, DriftSide expected, DriftSide actual,
              const std::string& value) {
    auto& item = add(out, DriftKind::naming_violation, std::move(expected), std::move(actual));
    item.message = "value " + q(value) + " is not snake_case";
    item.code_fix = "spell it " + q(to_snake_case(value)) + " in code and database alike";
  }

  // Applied in snapshot order, these placements reproduce the snapshot's order: before the next
  // snapshot value the database already has, else after the previous snapshot value.
  Placement placement_for(const std::string& value, const std::vector<std::string>& present) const {
    const auto& want = expected_.values;
    auto at = std::find(want.begin(), want.end(), value);
    for (auto next = at + 1; next != want.end(); ++next) {
      if (contains(present, *next)) return {Placement::Kind::before, *next};
    }
    if (at != want.begin()) return {Placement::Kind::after, *(at - 1)};
    return {};
  }

  DriftItem base_;
  const EnumType& expected_;
  const EnumType& actual_;
  const std::vector<ColumnUse>& columns_;
  const TypeDependents* dependents_;
  const DiffOptions& options_;
};

}  // namespace

namespace {

// Simple one-to-one case folding for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
// capitals. tools/enumwatch-py/enumwatch_py/check.py folds exactly the same way (the shared
// cases in tests/fixtures/diff_cases.json hold both to it). Other scripts, and multi-letter
// foldings (German "STRASSE" vs "straße"), compare exactly.
char32_t fold_case(char32_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if ((c >= 0x100 && c <= 0x137 && c != 0x130 && c % 2 == 0) ||
      (c >= 0x14A && c <= 0x177 && c % 2 == 0))
    return c + 1;
  if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) && c % 2 == 1) return c + 1;
  if (c == 0x178) return 0xFF;
  if ((c >= 0x391 && c <= 0x3A9 && c != 0x3A2) || (c >= 0x410 && c <= 0x42F)) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

}  // namespace

std::vector<TypeName> types_to_recreate(std::span<const DriftItem> items) {
  std::set<TypeName> types;
  for (const auto& item : items) {
    if (item.kind == DriftKind::unexpected_value || item.kind == DriftKind::order_mismatch)
      types.insert({item.schema, item.enum_name});
  }
  return {types.begin(), types.end()};
}

namespace {

// One type or check column as each snapshot that names it has it.
struct Naming {
  const NamedSnapshot* snapshot;
  std::vector<std::string> values;
};

std::string snapshot_label(const NamedSnapshot& named) {
  const auto& revision = named.snapshot->revision;
  return q(named.name) + (revision ? " (revision " + q(*revision) + ")" : "");
}

std::vector<std::string> only_in(const std::vector<std::string>& a,
                                 const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto& v : a) {
    if (!contains(b, v)) out.push_back(v);
  }
  return out;
}

// What differs between two snapshots' values of one type, in words.
std::string difference(const Naming& a, const Naming& b, bool ordered) {
  const auto a_only = only_in(a.values, b.values);
  const auto b_only = only_in(b.values, a.values);
  std::string out;
  if (!a_only.empty())
    out += q(a.snapshot->name) + " has " + quoted_list(a_only) + " that " + q(b.snapshot->name) +
           " lacks";
  if (!b_only.empty())
    out += (out.empty() ? "" : "; ") + q(b.snapshot->name) + " has " + quoted_list(b_only) +
           " that " + q(a.snapshot->name) + " lacks";
  if (out.empty() && ordered) out = "the same values in a different order";
  return out;
}

}  // namespace

std::vector<DriftItem> snapshot_conflicts(std::string_view target,
                                          std::span<const NamedSnapshot> snapshots,
                                          const DiffOptions& options) {
  std::map<TypeName, std::vector<Naming>> enums, checks;
  std::map<TypeName, const CheckColumn*> check_of;
  for (const auto& named : snapshots) {
    if (!named.snapshot) continue;
    for (const auto& type : named.snapshot->enums) {
      if (options.scope.includes(type.type)) enums[type.type].push_back({&named, type.values});
    }
    if (!options.checks) continue;
    for (const auto& check : named.snapshot->checks) {
      if (!options.scope.includes(check.key())) continue;
      checks[check.key()].push_back({&named, check.values});
      check_of.emplace(check.key(), &check);
    }
  }
  std::vector<DriftItem> out;
  auto report = [&](const TypeName& key, const std::vector<Naming>& namings, bool ordered,
                    const CheckColumn* check) {
    const Naming& first = namings.front();
    std::vector<std::string> parts;
    const Naming* other = nullptr;
    for (const auto& n : namings) {
      const bool same = ordered ? n.values == first.values
                                : only_in(n.values, first.values).empty() &&
                                      only_in(first.values, n.values).empty();
      if (same) continue;
      if (!other) other = &n;
      parts.push_back(snapshot_label(*first.snapshot) + " and " + snapshot_label(*n.snapshot) +
                      " disagree: " + difference(first, n, ordered));
    }
    if (!other) return;
    DriftItem item;
    item.target = std::string(target);
    if (check) item = check_base(std::move(item), *check);
    item.snapshot = first.snapshot->name;
    item.schema = key.schema;
    item.enum_name = key.name;
    item.kind = DriftKind::snapshot_conflict;
    item.expected = first.values;
    item.actual = other->values;
    item.message = (check ? "check " : "enum ") + key.display() + ": ";
    for (std::size_t i = 0; i < parts.size(); ++i) item.message += (i ? "; " : "") + parts[i];
    item.message += ": two services disagree, so one of them is wrong whatever the database holds";
    item.code_fix = "make the services agree on the values (one snapshot's code is out of date)";
    out.push_back(std::move(item));
  };
  for (const auto& [key, namings] : enums) report(key, namings, options.check_order, nullptr);
  for (const auto& [key, namings] : checks) report(key, namings, false, check_of.at(key));
  return out;
}

std::string fold_spelling(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size();) {
    const auto lead = static_cast<unsigned char>(value[i]);
    if (lead == '_' || lead == '-' || lead == ' ') {
      ++i;
      continue;
    }
    // Only one- and two-byte sequences can hold a letter fold_case changes; the rest is copied.
    if (lead < 0x80) {
      append_utf8(out, fold_case(lead));
      ++i;
    } else if ((lead >> 5) == 0x6 && i + 1 < value.size() &&
               (static_cast<unsigned char>(value[i + 1]) >> 6) == 0x2) {
      const char32_t c =
          (char32_t(lead & 0x1F) << 6) | (static_cast<unsigned char>(value[i + 1]) & 0x3F);
      append_utf8(out, fold_case(c));
      i += 2;
    } else {
      out += value[i];
      ++i;
    }
  }
  return out;
}

bool is_snake_case(std::string_view value) {
  static const std::regex shape("^[a-z][a-z0-9]*(_[a-z0-9]+)*$");
  return std::regex_match(value.begin(), value.end(), shape);
}

std::string to_snake_case(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if (c == '-' || c == ' ' || c == '_') {
      if (!out.empty() && out.back() != '_') out += '_';
    } else if (std::isupper(c)) {
      bool after_lower = i > 0 && (std::islower(static_cast<unsigned char>(value[i - 1])) ||
                                   std::isdigit(static_cast<unsigned char>(value[i - 1])));
      if (after_lower && !out.empty() && out.back() != '_') out += '_';
      out += static_cast<char>(std::tolower(c));
    } else {
      out += static_cast<char>(c);
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

namespace {

// revision_mismatch: the snapshot was made for another migration revision than the database's.
void diff_snapshot_revision(const DriftItem& base, const Snapshot& snapshot,
                            const DatabaseState& database, std::vector<DriftItem>& out) {
  if (!snapshot.revision || !database.migration_revision ||
      *snapshot.revision == *database.migration_revision)
    return;
  DriftItem item = base;
  item.kind = DriftKind::revision_mismatch;
  item.expected = *snapshot.revision;
  item.actual = *database.migration_revision;
  item.message = "the database is at migration revision " + q(*database.migration_revision) +
                 " but the snapshot was made for " + q(*snapshot.revision);
  item.code_fix = "deploy the code built for revision " + q(*database.migration_revision) +
                  ", or migrate the database to " + q(*snapshot.revision);
  out.push_back(std::move(item));
}

// Every enum of the snapshot in scope: missing from the database, or compared with it. `named`
// collects them, so that the database's others are reported as unexpected.
void diff_snapshot_enums(const DriftItem& base, const Snapshot& snapshot,
                         const DatabaseState& database, const DiffOptions& options,
                         std::set<TypeName>& named, std::vector<DriftItem>& out) {
  for (const auto& expected : snapshot.enums) {
    if (!options.scope.includes(expected.type)) continue;
    named.insert(expected.type);
    DriftItem enum_base = base;
    enum_base.schema = expected.type.schema;
    enum_base.enum_name = expected.type.name;
    const EnumType* actual = database.catalog.find(expected.type);
    if (!actual) {
      DriftItem item = enum_base;
      item.kind = DriftKind::missing_type;
      item.expected = expected.values;
      item.message = "enum " + expected.type.display() +
                     " does not exist in the database: every write of it fails";
      item.remediation_sql = create_type_sql(expected);
      item.code_fix = "run the migration that creates it before deploying code that uses it";
      out.push_back(std::move(item));
      continue;
    }
    const auto& columns = database.catalog.uses_of(expected.type);
    const auto dependents = database.catalog.dependents.find(expected.type);
    EnumDiff(enum_base, expected, *actual, columns,
             dependents == database.catalog.dependents.end() ? nullptr : &dependents->second,
             options)
        .run(out);
  }
}

// Every CHECK-constraint enum of the snapshot in scope (docs/check-enums.md), as for enums.
void diff_snapshot_checks(const DriftItem& base, const Snapshot& snapshot,
                          const DatabaseState& database, const DiffOptions& options,
                          std::set<TypeName>& named, std::vector<DriftItem>& out) {
  for (const auto& expected : snapshot.checks) {
    if (!options.checks || !options.scope.includes(expected.key())) continue;
    named.insert(expected.key());
    const DriftItem check_item = check_base(base, expected);
    const CheckColumn* actual = database.catalog.find_check(expected.key());
    if (!actual) {
      DriftItem item = check_item;
      item.kind = DriftKind::missing_type;
      item.expected = expected.values;
      item.message = "column " + expected.display() +
                     " has no CHECK constraint listing its values (or does not exist): any "
                     "value can be written to it";
      item.remediation_sql = check_swap_sql({expected, {}, options.lock_timeout, {}, std::nullopt});
      item.code_fix = "run the migration that adds the constraint";
      out.push_back(std::move(item));
      continue;
    }
    diff_check(check_item, expected, *actual, options, out);
  }
}

// unexpected_type for each CHECK-constraint enum of the database that no snapshot names.
void diff_unnamed_checks(std::string_view target, const DatabaseState& database,
                         const DiffOptions& options, const std::set<TypeName>& named,
                         std::vector<DriftItem>& out) {
  for (const auto& actual : database.catalog.checks) {
    if (named.contains(actual.key()) || !options.scope.includes(actual.key())) continue;
    DriftItem base;
    base.target = std::string(target);
    DriftItem item = check_base(base, actual);
    item.kind = DriftKind::unexpected_type;
    item.actual = actual.values;
    item.message = "column " + actual.display() +
                   " has a CHECK listing its values, but no snapshot of the target names it";
    item.code_fix =
        "if the code writes the column, add it to the snapshot as [[check]]; otherwise add " +
        q(actual.key().display()) + " to ignore";
    out.push_back(std::move(item));
  }
}

// unexpected_type for each enum of the database that no snapshot names.
void diff_unnamed_enums(std::string_view target, const DatabaseState& database,
                        const DiffOptions& options, const std::set<TypeName>& named,
                        std::vector<DriftItem>& out) {
  for (const auto& actual : database.catalog.enums) {
    if (named.contains(actual.type) || !options.scope.includes(actual.type)) continue;
    DriftItem item;
    item.target = std::string(target);
    item.schema = actual.type.schema;
    item.enum_name = actual.type.name;
    item.kind = DriftKind::unexpected_type;
    item.actual = actual.values;
    item.message = "enum " + actual.type.display() +
                   " exists in the database but no snapshot of the target names it";
    item.remediation_sql = drop_type_sql(actual.type);
    item.code_fix = "if the code uses it, add it to the snapshot; otherwise add it to ignore";
    item.used_by = display_uses(database.catalog.uses_of(actual.type));
    out.push_back(std::move(item));
  }
}

}  // namespace

std::vector<DriftItem> diff(std::string_view target, std::span<const NamedSnapshot> snapshots,
                            const DatabaseState& database, const DiffOptions& options) {
  std::vector<DriftItem> out = snapshot_conflicts(target, snapshots, options);
  std::set<TypeName> named;
  bool all_registered = true;
  for (const auto& named_snapshot : snapshots) {
    if (!named_snapshot.snapshot) {
      all_registered = false;
      continue;
    }
    const Snapshot& snapshot = *named_snapshot.snapshot;
    DriftItem base;
    base.target = std::string(target);
    base.snapshot = named_snapshot.name;
    diff_snapshot_revision(base, snapshot, database, out);
    diff_snapshot_enums(base, snapshot, database, options, named, out);
    diff_snapshot_checks(base, snapshot, database, options, named, out);
  }
  // An unregistered snapshot may name any of the database's types: none is unexpected yet.
  if (options.report_unexpected && all_registered && options.checks)
    diff_unnamed_checks(target, database, options, named, out);
  if (options.report_unexpected && all_registered)
    diff_unnamed_enums(target, database, options, named, out);
  return out;
}

}  // namespace enumwatch
