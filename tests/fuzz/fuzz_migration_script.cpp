// A migration as libpg_query reads it: any text either parses into statements or is one
// located error line; every statement's text is a piece of the input that starts with its first
// token (never a comment or a blank), its line is that token's line, and parsing the piece alone
// gives one statement again. The directory order never invents or loses a kept name.
#include <algorithm>
#include <string>

#include "enumwatch/core/error.hpp"
#include "enumwatch/validate/migration_script.hpp"
#include "fuzz_support.hpp"

using namespace enumwatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  MigrationScript script;
  try {
    script = parse_migration("m.sql", text);
  } catch (const Error& e) {
    fuzz::require(std::string_view(e.what()).starts_with("m.sql"), "an error names the file",
                  e.what());
    fuzz::require_one_line(e.what());
    return 0;
  }
  int previous_line = 0;
  for (const auto& statement : script.statements) {
    fuzz::require(statement.line >= previous_line, "statements come in order");
    previous_line = statement.line;
    if (statement.sql.empty()) continue;
    const auto at = text.find(statement.sql);
    fuzz::require(at != std::string_view::npos, "a statement is a piece of the input",
                  statement.sql);
    fuzz::require(statement.sql.front() != ' ' && statement.sql.front() != '\n' &&
                      !statement.sql.starts_with("--") && !statement.sql.starts_with("/*"),
                  "a statement starts with its first token", statement.sql);
    const auto again = parse_migration("piece.sql", statement.sql);
    fuzz::require(again.statements.size() == 1, "a statement alone parses as one", statement.sql);
    fuzz::require(again.statements[0].node == statement.node, "a statement alone is the same node",
                  statement.sql);
  }
  // Names: the input's lines.
  std::vector<std::string> names;
  for (auto part : fuzz::split(text, '\n')) names.emplace_back(part);
  const auto ordered = migration_order(names);
  for (const auto& name : ordered) {
    fuzz::require(name.ends_with(".sql") && !name.ends_with(".down.sql"),
                  "only .sql files, never a down file", name);
    fuzz::require(std::count(names.begin(), names.end(), name) ==
                      std::count(ordered.begin(), ordered.end(), name),
                  "a kept name appears as often as given", name);
  }
  return 0;
}
