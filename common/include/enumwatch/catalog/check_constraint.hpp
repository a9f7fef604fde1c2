// CHECK-constraint enums (docs/snapshot-format.md `[[check]]`): recognising, in the text PostgreSQL
// prints for a constraint, a pure "this column is one of these literals" test, and reading a column
// default that is one literal.
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
  // The constraint's other top-level conjuncts ("c IS NOT NULL", "length(c) < 20"), as
  // PostgreSQL printed them without their enclosing parentheses: a swap keeps each of them.
  std::vector<std::string> kept;
  // A conjunct that ORs the membership test with something else, as printed: its values are
  // read, but no rewritten list would allow the same, so a swap refuses (docs/check-enums.md).
  std::optional<std::string> unrewritable;
};

// `definition` as pg_get_constraintdef prints it ("CHECK (...)", maybe "NOT VALID" after).
// A membership test is `col = 'a'`, `col = ANY (ARRAY['a', 'b'])`, `col IN ('a', 'b')`, or an
// OR-chain of those over one column; with or without casts of the column, the literals and the
// array to text, varchar or bpchar. Accepted: the top-level conjuncts (split at AND) hold at
// least one membership test over one column (several: a value must pass all), and any other
// conjuncts, which are kept; a conjunct that ORs a membership test with something else is read
// as its membership values and marked unrewritable. Anything else: nothing.
[[nodiscard]] std::optional<MembershipCheck> parse_membership_check(std::string_view definition);

// A column default that is one string literal, with or without casts ('paid'::public.status,
// 'web'::character varying): its value. Anything else (a function call, NULL, an array): nothing.
[[nodiscard]] std::optional<std::string> parse_literal_default(std::string_view expression);

}  // namespace enumwatch
