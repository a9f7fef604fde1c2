// CHECK-constraint enums (SPEC §3 `[[check]]`): recognising, in the text PostgreSQL prints for a
// constraint, a pure "this column is one of these literals" test, and reading a column default
// that is one literal.
//
// Why the text of pg_get_constraintdef and not the stored node tree (conbin): the node tree's
// format is internal and changes between major versions, while the deparsed text is SQL whose
// few shapes for a membership test are stable (docs/check-enums.md lists them). The parser
// accepts only those shapes and answers "not a membership test" for anything else: a constraint
// is never half-understood.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace enumwatch {

struct MembershipCheck {
  std::string column;               // as the constraint names it (quotes removed)
  std::vector<std::string> values;  // sorted, unique
};

// `definition` as pg_get_constraintdef prints it ("CHECK (...)", maybe "NOT VALID" after).
// Accepted: `col = 'a'`, `col = ANY (ARRAY['a', 'b'])`, `col IN ('a', 'b')`, OR-chains of those
// over one column, and any of them AND-ed with `col IS NOT NULL`; with or without casts of the
// column, the literals and the array to text, varchar or bpchar. Anything else: nothing.
[[nodiscard]] std::optional<MembershipCheck> parse_membership_check(std::string_view definition);

// A column default that is one string literal, with or without casts ('paid'::public.status,
// 'web'::character varying): its value. Anything else (a function call, NULL, an array): nothing.
[[nodiscard]] std::optional<std::string> parse_literal_default(std::string_view expression);

}  // namespace enumwatch
