// SQL that makes a database match a snapshot. Quoting is correct for any identifier or label.
// Additions never rewrite a table (ADD VALUE ... BEFORE/AFTER); removals and reorders recreate the
// type in one transaction that fails, changing nothing, while any row still holds a dropped value.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "enumwatch/core/drift.hpp"
#include "enumwatch/core/model.hpp"
#include "enumwatch/sql/sql_quote.hpp"

namespace enumwatch {

[[nodiscard]] std::string create_type_sql(const EnumType& type);
[[nodiscard]] std::string drop_type_sql(const TypeName& type);
[[nodiscard]] std::string rename_value_sql(const TypeName& type, std::string_view from,
                                           std::string_view to);

// Where a new value goes: BEFORE an existing one, AFTER one, or at the end.
struct Placement {
  enum class Kind { end, before, after } kind = Kind::end;
  std::string neighbour;
};
[[nodiscard]] std::string add_value_sql(const TypeName& type, std::string_view value,
                                        const Placement& placement);

// Create-swap-drop of one enum type (docs/remediation.md).
struct RecreatePlan {
  TypeName type;
  std::vector<std::string> values;   // the snapshot's, in its order
  std::vector<std::string> dropped;  // database values the snapshot lacks
  // Database spelling -> snapshot spelling of values renamed (RENAME VALUE) before this runs:
  // definitions read before the rename still name the old spelling.
  std::vector<std::pair<std::string, std::string>> renamed;
  std::vector<ColumnUse> columns;  // table columns converted (direct, arrays, defaults)
  // Everything else that depends on the type; nothing when it was not read, and then the recipe
  // says so and only converts the columns.
  const TypeDependents* dependents = nullptr;
  std::chrono::milliseconds lock_timeout{5000};
};

// One transaction: record the dependents, drop them (deepest first), swap the type, convert the
// columns, re-create every dependent from its own definition (shallowest first), refresh
// materialized views that were populated, drop the old type, and check that every dependent is
// back as it was before COMMIT (else roll back). SET LOCAL lock_timeout makes it fail fast
// instead of queueing behind a long transaction. When PostgreSQL cannot do it (a type in a
// partition key, a domain over it, ...), the result is only comments saying why.
[[nodiscard]] std::string recreate_type_sql(const RecreatePlan& plan);

// Makes a CHECK-constraint enum allow exactly `wanted.values`, without a long lock: in a first
// transaction, check that no row holds a value the new set drops (else fail, changing nothing)
// and ADD CONSTRAINT ... NOT VALID (a moment of ACCESS EXCLUSIVE, no scan under it); in a second,
// VALIDATE CONSTRAINT (a scan under SHARE UPDATE EXCLUSIVE, which blocks neither reads nor
// writes), drop the old constraints and give the new one the first old one's name. With no old
// constraint it adds one named as PostgreSQL would (table_column_check). The new constraint
// ANDs the new list with every conjunct of the old ones it does not rewrite (`kept`), so that
// `c IS NOT NULL` or `length(c) < 20` still hold; when an old one cannot be rewritten
// (`refusal`), the result is only comments saying why (docs/check-enums.md).
struct CheckSwapPlan {
  CheckColumn wanted;                        // schema, table, column, values
  std::vector<std::string> old_constraints;  // their names
  std::chrono::milliseconds lock_timeout{5000};
  std::vector<std::string> kept;  // as PostgreSQL printed them
  std::optional<std::string> refusal;
  // The old constraints are a domain's: the swap is ALTER DOMAIN, in one transaction whose ADD
  // CONSTRAINT checks every column of the domain (docs/check-enums.md, "Domains").
  std::optional<TypeName> domain{};
};
[[nodiscard]] std::string check_swap_sql(const CheckSwapPlan& plan);

// ALTER TABLE ... ALTER COLUMN ... SET DEFAULT value (PostgreSQL casts the literal to the column).
[[nodiscard]] std::string set_default_sql(const std::string& schema, const std::string& table,
                                          const std::string& column, std::string_view value);

// ALTER DOMAIN ... SET DEFAULT value: the default every column of the domain without one of its
// own takes (PostgreSQL casts the literal to the domain).
[[nodiscard]] std::string set_domain_default_sql(const TypeName& domain, std::string_view value);

// One script for a whole diff, in an order that applies cleanly: per enum, renames, then either
// the recreate recipe or the additions; missing types created; unexpected types dropped.
[[nodiscard]] std::string remediation_script(std::span<const DriftItem> items);

// What the daemon keeps and serves of a poll's recipes (docs/remediation.md, "Large recipes"): a
// remediation text longer than `max_bytes` (one that embeds a huge view or function definition)
// becomes one comment saying how long it was and to run `enumwatch diff --format sql`, so that
// the status API, every event stream subscriber and every alert hold at most `max_bytes` of it.
// `enumwatch diff` prints recipes whole.
inline constexpr std::size_t kMaxServedRemediationBytes = 256 * 1024;
void bound_remediation(std::span<DriftItem> items,
                       std::size_t max_bytes = kMaxServedRemediationBytes);
// The one comment line that stands for a recipe of `bytes` over `max_bytes`.
[[nodiscard]] std::string oversized_recipe_notice(std::string_view enum_name, std::size_t bytes,
                                                  std::size_t max_bytes);

}  // namespace enumwatch
