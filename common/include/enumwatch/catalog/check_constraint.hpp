// CHECK-constraint enums (docs/snapshot-format.md `[[check]]`): recognising, in the text PostgreSQL
// prints for a constraint, a pure "this column is one of these literals" test, and reading a column
// or domain default that is one literal or a literal array.
//
// Why the text of pg_get_constraintdef and not the stored node tree (conbin): the node tree's
// format is internal and changes between major versions, while the deparsed text is SQL whose
// few shapes for a membership test are stable (docs/check-enums.md lists them). The parser
// accepts only those shapes and answers "not a membership test" for anything else: a constraint
// is never half-understood.
#pragma once

#include <cstddef>
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

// A column or domain default that is a literal array (docs/check-enums.md, "Defaults"), as
// pg_get_expr prints one: '{paid,"a b",NULL}'::public.status[] (the array's text form, elements
// double-quoted with backslash escapes where needed), ARRAY['paid'::public.status,
// NULL::public.status], nested (ARRAY[ARRAY[...], ...], '{{a},{b}}'), with lower bounds
// ('[2:3]={a,b}'), either one maybe cast on to a domain over the array type
// (('{paid}'::public.status[])::public.status_list). Anything else (a function call, an array
// built from a column or an operator, NULL, a scalar literal): nothing, never part of it.
struct ArrayDefault {
  std::vector<std::optional<std::string>> elements;  // in storage order; nothing: a NULL element
  std::vector<std::size_t> dimensions;               // outermost first; none when empty
  std::string bounds;  // the lower-bound decoration, "[2:3]=", or "" when every bound is 1
  bool operator==(const ArrayDefault&) const = default;
};
[[nodiscard]] std::optional<ArrayDefault> parse_array_default(std::string_view expression);

// The array's text form as PostgreSQL's array_out writes it: elements double-quoted (with `"`
// and `\` escaped) when empty, "NULL" in any case, or holding a brace, comma, quote, backslash or
// white space; a NULL element as NULL. `array_text(*parse_array_default(e))` means what `e` does.
[[nodiscard]] std::string array_text(const ArrayDefault& array);

}  // namespace enumwatch
