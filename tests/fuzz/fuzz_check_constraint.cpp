// The CHECK-constraint reader: any text (a catalog's constraint definition is the database's,
// not ours) is either a membership test or nothing, never an exception or a crash; an array
// default it reads is written back as text that reads the same; what it reads
// is a sorted set; and the constraint enumwatch's own remediation writes for those values is read
// back as exactly the same column and values, whatever the names hold.
#include <algorithm>

#include "enumwatch/catalog/check_constraint.hpp"
#include "enumwatch/snapshot/snapshot.hpp"
#include "enumwatch/sql/remediation.hpp"
#include "enumwatch/sql/sql_lexer.hpp"
#include "fuzz_support.hpp"

using namespace enumwatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  (void)parse_literal_default(text);
  // An array default read is written back as PostgreSQL would, and that text reads the same.
  if (const auto array = parse_array_default(text)) {
    const std::string written = array_text(*array);
    const auto again = parse_array_default(quote_literal(written) + "::public.s[]");
    fuzz::require(again && *again == *array, "an array default reads back as written", written);
  }
  const auto parsed = parse_membership_check(text);
  if (!parsed) return 0;
  fuzz::require(!parsed->values.empty(), "a membership test lists values", text);
  fuzz::require(std::adjacent_find(parsed->values.begin(), parsed->values.end(),
                                   [](const auto& a, const auto& b) { return !(a < b); }) ==
                    parsed->values.end(),
                "the values come out sorted, once each", text);
  if (label_problem(parsed->column) ||
      std::any_of(parsed->values.begin(), parsed->values.end(),
                  [](const std::string& v) { return label_problem(v).has_value(); }))
    return 0;

  // Write the swap for what was read, and read its new constraint back.
  CheckSwapPlan plan;
  plan.wanted.table = "t";
  plan.wanted.column = parsed->column;
  plan.wanted.values = parsed->values;
  const std::string sql = check_swap_sql(plan);
  // The CHECK keyword is in bare text (a name holding "CHECK (" is a quoted token of its own);
  // lex_sql throws, and so fails the run, if a quote is left open.
  std::size_t at = std::string::npos;
  for (const auto& token : lex_sql(sql)) {
    const auto in_token = token.text.find(" CHECK (");
    if (token.kind == SqlToken::Kind::bare && in_token != std::string_view::npos) {
      at = static_cast<std::size_t>(token.text.data() - sql.data()) + in_token;
      break;
    }
  }
  fuzz::require(at != std::string::npos, "the swap adds a CHECK", sql);
  const auto end = sql.find(") NOT VALID;\n", at);
  fuzz::require(end != std::string::npos, "the swap adds it NOT VALID", sql);
  const auto again = parse_membership_check(sql.substr(at + 1, end + 1 - at));
  fuzz::require(again && again->column == parsed->column && again->values == parsed->values,
                "enumwatch reads back the constraint it writes", sql);
  return 0;
}
