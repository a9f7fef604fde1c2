#include "enumwatch/validate/validation.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "enumwatch/core/text.hpp"
#include "enumwatch/report/report.hpp"

namespace enumwatch {
namespace {

std::string first_line(std::string_view sql, std::size_t limit = 80) {
  std::string_view line = sql.substr(0, sql.find('\n'));
  std::string out = escape_control(line.substr(0, std::min(line.size(), limit)));
  if (line.size() > limit || line.size() < sql.size()) out += " …";
  return out;
}

std::string where_text(const Finding& finding) {
  return finding.line ? finding.file + ":" + std::to_string(*finding.line) : finding.file;
}

// Markdown table cells: no pipe, no line end, nothing the renderer would take for markup.
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : escape_control(text)) {
    if (c == '|' || c == '`' || c == '<' || c == '>' || c == '*' || c == '_' || c == '[' ||
        c == ']')
      out += '\\';
    out += c;
  }
  return out;
}

// ---- which statement caused what a before/after comparison found ----------------------------

struct Origin {
  const MigrationScript* script = nullptr;
  const MigrationStatement* statement = nullptr;
};

// The finding points at the statement, when one is known.
void point_at(Finding& finding, const std::optional<Origin>& origin) {
  if (!origin) return;
  finding.file = origin->script->file;
  finding.line = origin->statement->line;
}

// Two names as statements wrote them may be the same object: a name without a schema is the
// one the search path finds, which can be any schema's.
bool same_name(const WrittenName& a, const WrittenName& b) {
  return a.name == b.name && (!a.schema || !b.schema || *a.schema == *b.schema);
}

bool names_type(const WrittenName& written, const TypeName& type) {
  return same_name(written, WrittenName{type.schema, type.name});
}

template <typename Visit>
void each_statement(std::span<const MigrationScript> scripts, Visit&& visit) {
  for (const auto& script : scripts)
    for (const auto& statement : script.statements) visit(Origin{&script, &statement});
}

// The CREATE TYPE ... AS ENUM that made the type named `type` after the migration: followed
// through the ALTER TYPE ... RENAME TOs after it (CREATE TYPE t_new, then RENAME TO t).
std::optional<Origin> creator_of(std::span<const MigrationScript> scripts, const TypeName& type) {
  std::vector<std::pair<WrittenName, Origin>> created;  // by their current names
  each_statement(scripts, [&](const Origin& at) {
    const MigrationStatement& s = *at.statement;
    if (s.type && s.node == "CreateEnumStmt") {
      created.emplace_back(*s.type, at);
    } else if (s.type && s.type_renamed_to) {
      for (auto& entry : created)
        if (same_name(entry.first, *s.type)) entry.first.name = *s.type_renamed_to;
    }
    for (const auto& removed : s.removes) {
      if (removed.kind != "type") continue;
      std::erase_if(created, [&](const auto& c) { return same_name(c.first, removed.name); });
    }
  });
  for (auto it = created.rbegin(); it != created.rend(); ++it)
    if (names_type(it->first, type)) return it->second;
  return std::nullopt;
}

// The DROP TYPE (or DROP SCHEMA) that dropped the type named `type` before the migration: the
// object followed through its ALTER TYPE ... RENAME TOs (RENAME TO t_old, ..., DROP TYPE t_old).
std::optional<Origin> dropper_of(std::span<const MigrationScript> scripts, const TypeName& type) {
  WrittenName current{type.schema, type.name};
  std::optional<Origin> found;
  each_statement(scripts, [&](const Origin& at) {
    const MigrationStatement& s = *at.statement;
    if (found) return;
    if (s.type && s.type_renamed_to && same_name(*s.type, current)) {
      current.name = *s.type_renamed_to;
      return;
    }
    for (const auto& removed : s.removes) {
      if ((removed.kind == "type" && same_name(removed.name, current)) ||
          (removed.kind == "schema" && removed.name.name == type.schema))
        found = at;
    }
  });
  return found;
}

// The statement that brought `value` into the type: its ADD VALUE, or the RENAME VALUE to it,
// else the CREATE TYPE.
std::optional<Origin> introducer_of(std::span<const MigrationScript> scripts, const TypeName& type,
                                    const std::string& value) {
  std::optional<Origin> found;
  each_statement(scripts, [&](const Origin& at) {
    const MigrationStatement& s = *at.statement;
    if (s.node != "AlterEnumStmt" || !s.type || !names_type(*s.type, type)) return;
    if (s.added_value == value || (s.renamed_value && s.renamed_value->second == value)) found = at;
  });
  return found ? found : creator_of(scripts, type);
}

// The statement that took `value` out of the type: the RENAME VALUE from it, else the CREATE
// TYPE that re-created the type without it, else the type's DROP.
std::optional<Origin> remover_of(std::span<const MigrationScript> scripts, const TypeName& type,
                                 const std::string& value) {
  std::optional<Origin> found;
  each_statement(scripts, [&](const Origin& at) {
    const MigrationStatement& s = *at.statement;
    if (s.node == "AlterEnumStmt" && s.type && names_type(*s.type, type) && s.renamed_value &&
        s.renamed_value->first == value)
      found = at;
  });
  if (found) return found;
  if (auto created = creator_of(scripts, type)) return created;
  return dropper_of(scripts, type);
}

// Strips one identifier, as quote_identifier writes it, off the end of `text`.
bool strip_identifier_back(std::string_view& text) {
  if (text.ends_with('"')) {
    for (std::size_t i = text.size() - 1; i-- > 0;) {
      if (text[i] != '"') continue;
      if (i > 0 && text[i - 1] == '"') {
        --i;  // a doubled quote inside the name
        continue;
      }
      text = text.substr(0, i);
      return true;
    }
    return false;
  }
  std::size_t n = text.size();
  while (n > 0 && ((text[n - 1] >= 'a' && text[n - 1] <= 'z') ||
                   (text[n - 1] >= '0' && text[n - 1] <= '9') || text[n - 1] == '_'))
    --n;
  if (n == text.size()) return false;
  text = text.substr(0, n);
  return true;
}

// True when `text` ends with "<kind> <schema>.<name>" as pg_describe_object writes an object
// (any kind word when `kind` is empty; any schema when the statement wrote none).
bool ends_with_object(std::string_view text, std::string_view kind, const WrittenName& name) {
  const std::string tail = "." + postgres_quote_identifier(name.name);
  if (!text.ends_with(tail)) return false;
  text.remove_suffix(tail.size());
  if (name.schema) {
    const std::string schema = postgres_quote_identifier(*name.schema);
    if (!text.ends_with(schema)) return false;
    text.remove_suffix(schema.size());
  } else if (!strip_identifier_back(text)) {
    return false;
  }
  return text.ends_with(std::string(kind) + " ");
}

// True when pg_describe_object's `dependent` is the object `removed` names, or a part of it.
bool describes(std::string_view dependent, const RemovedObject& removed) {
  const std::string& kind = removed.kind;
  if (kind == "column" || kind == "default value" || kind == "constraint" || kind == "trigger" ||
      kind == "policy") {
    std::vector<std::string> prefixes;
    if (kind == "column") prefixes.push_back("column " + removed.member + " of ");
    if (kind == "column" || kind == "default value")
      prefixes.push_back("default value for column " + removed.member + " of ");
    if (kind == "constraint" || kind == "trigger" || kind == "policy")
      prefixes.push_back(kind + " " + removed.member + " on ");
    return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& prefix) {
      return dependent.starts_with(prefix) &&
             ends_with_object(dependent.substr(prefix.size() - 1), "", removed.name);
    });
  }
  if (kind == "function" || kind == "procedure") {
    if (!dependent.starts_with(kind + " ")) return false;
    std::string_view rest = dependent.substr(kind.size() + 1);
    const auto paren = rest.find("." + postgres_quote_identifier(removed.name.name) + "(");
    if (paren == std::string_view::npos) return false;
    std::string_view schema = rest.substr(0, paren);
    if (removed.name.schema) return schema == postgres_quote_identifier(*removed.name.schema);
    return strip_identifier_back(schema) && schema.empty();
  }
  if (kind == "schema") {
    return dependent.find(" " + postgres_quote_identifier(removed.name.name) + ".") !=
           std::string_view::npos;
  }
  // A relation or a type: the object itself, or a part of it ("column status of view public.v",
  // "rule _RETURN on view public.v", "column a of composite type public.c").
  return ends_with_object(dependent, kind, removed.name) ||
         (kind == "type" && ends_with_object(dependent, "domain", removed.name));
}

// The last statement that dropped the dependent (or ended its use of the type).
std::optional<Origin> remover_of_dependent(std::span<const MigrationScript> scripts,
                                           std::string_view dependent) {
  std::optional<Origin> found;
  each_statement(scripts, [&](const Origin& at) {
    for (const auto& removed : at.statement->removes)
      if (describes(dependent, removed)) found = at;
  });
  return found;
}

}  // namespace

std::string_view to_string(FindingKind kind) {
  switch (kind) {
    case FindingKind::migration_failed:
      return "migration_failed";
    case FindingKind::drift_after_migration:
      return "drift_after_migration";
    case FindingKind::dependents_lost:
      return "dependents_lost";
    case FindingKind::rename_breaks_running_code:
      return "rename_breaks_running_code";
    case FindingKind::unreadable_by_running_code:
      return "unreadable_by_running_code";
    case FindingKind::value_removed_rows_remain:
      return "value_removed_rows_remain";
    case FindingKind::table_rewrite:
      return "table_rewrite";
    case FindingKind::lock_without_timeout:
      return "lock_without_timeout";
    case FindingKind::order_changed:
      return "order_changed";
  }
  return "unknown";
}

std::vector<Finding> statement_findings(const StatementRun& run) {
  std::vector<Finding> out;
  for (const auto& lock : run.locks) {
    if (lock.rewrite) {
      const bool big = run.rows && *run.rows > kCriticalRewriteRows;
      std::string message = first_line(run.sql) + " rewrites " + lock.relation;
      message += run.rows ? " (" + row_count_text(*run.rows) + " rows in production)"
                          : " (its size in production is unknown without --dsn)";
      message += ": every row is copied while ACCESS EXCLUSIVE blocks reads and writes";
      out.push_back({FindingKind::table_rewrite, big ? Severity::critical : Severity::warning,
                     run.file, run.line, std::move(message),
                     "avoid the rewrite: ALTER TYPE ... ADD VALUE instead of recreating the type; "
                     "if it cannot be avoided, run it in a maintenance window or copy the table "
                     "in batches"});
    }
  }
  if (!run.lock_timeout_set) {
    for (const auto& lock : run.locks) {
      if (lock.mode != "AccessExclusiveLock" && lock.mode != "ShareLock") continue;
      out.push_back(
          {FindingKind::lock_without_timeout, Severity::warning, run.file, run.line,
           first_line(run.sql) + " takes " + lock.mode + " on " + lock.relation +
               " with no lock_timeout: behind one long transaction it queues, and every query "
               "on the table queues behind it",
           "SET lock_timeout = '5s'; before it (SET LOCAL inside its transaction), and retry the "
           "migration when it times out"});
    }
  }
  return out;
}

Finding migration_failed(const MigrationScript& script, const MigrationStatement& failed,
                         std::string_view sqlstate, std::string_view message) {
  Finding finding{FindingKind::migration_failed,
                  Severity::critical,
                  script.file,
                  failed.line,
                  first_line(failed.sql) + " fails: " + escape_control(message) + " (SQLSTATE " +
                      std::string(sqlstate) + ")",
                  std::nullopt};
  if (sqlstate == "55P04") {
    // The ADD VALUE it trips over: the latest one before it in the file.
    const MigrationStatement* added = nullptr;
    for (const auto& statement : script.statements) {
      if (&statement == &failed) break;
      if (statement.added_value) added = &statement;
    }
    finding.message +=
        ": a value added by ALTER TYPE ... ADD VALUE cannot be used until the "
        "transaction that added it commits";
    if (added) {
      finding.message += " (the value '" + escape_control(*added->added_value) +
                         "' was added at line " + std::to_string(added->line) + ")";
    }
    finding.fix =
        "commit between the ADD VALUE and its first use: give the ADD VALUE a migration of its "
        "own (Alembic: op.get_context().autocommit_block(); Django: a migration with atomic = "
        "False; Prisma, Drizzle, Flyway: a separate migration file)";
  } else if (sqlstate == "25001") {
    finding.fix =
        "the statement cannot run inside a transaction block: move it to a file of its "
        "own, outside BEGIN ... COMMIT";
  }
  return finding;
}

bool failed_with(const Finding& failure, std::string_view sqlstate) {
  return failure.kind == FindingKind::migration_failed &&
         failure.message.find("(SQLSTATE " + std::string(sqlstate) + ")") != std::string::npos;
}

void name_blocking_views(Finding& failure, std::span<const std::string> views) {
  if (views.empty()) return;
  std::string names;
  for (const auto& view : views) names += (names.empty() ? "" : ", ") + escape_control(view);
  failure.message += ": the column is used by " + names;
  failure.fix = "in the same migration, drop the views that use the column (" + names +
                ") before the ALTER and re-create them after it; PostgreSQL cannot change "
                "the type of a column a view uses";
}

MigrationScript committed_part(const MigrationScript& script, std::size_t failed_index) {
  MigrationScript out;
  out.file = script.file;
  if (!script.manages_transactions()) return out;  // one transaction, rolled back whole
  std::vector<MigrationStatement> block;
  bool in_block = false;
  for (std::size_t i = 0; i < failed_index && i < script.statements.size(); ++i) {
    const auto& statement = script.statements[i];
    switch (statement.control) {
      case TransactionControl::begin:
        in_block = true;
        block.clear();
        break;
      case TransactionControl::commit:
        out.statements.insert(out.statements.end(), block.begin(), block.end());
        block.clear();
        in_block = false;
        break;
      case TransactionControl::rollback:
        block.clear();
        in_block = false;
        break;
      default:
        (in_block ? block : out.statements).push_back(statement);
    }
  }
  return out;
}

std::vector<Finding> order_changes(const Catalog& before, const Catalog& after,
                                   std::span<const MigrationScript> scripts) {
  std::vector<Finding> out;
  for (const auto& old_type : before.enums) {
    const EnumType* new_type = after.find(old_type.type);
    if (!new_type) continue;
    std::map<std::string, std::size_t> position;
    for (std::size_t i = 0; i < new_type->values.size(); ++i)
      position.emplace(new_type->values[i], i);
    std::vector<std::string> common_before;
    for (const auto& v : old_type.values)
      if (position.contains(v)) common_before.push_back(v);
    const bool reordered = std::adjacent_find(common_before.begin(), common_before.end(),
                                              [&](const std::string& a, const std::string& b) {
                                                return position[a] > position[b];
                                              }) != common_before.end();
    if (!reordered) continue;
    out.push_back({FindingKind::order_changed, Severity::info, "", std::nullopt,
                   escape_control(old_type.type.display()) +
                       ": the values keep their names but not their order, so ORDER BY and < on "
                       "the type change meaning (and indexes on it are rebuilt)",
                   "check the queries that sort or compare the type; keep the old order and add "
                   "values with ADD VALUE ... BEFORE/AFTER if the order was not meant to change"});
    point_at(out.back(), creator_of(scripts, new_type->type));
  }
  return out;
}

namespace {

const EnumType* snapshot_type(const NamedSnapshot& named, const TypeName& type) {
  if (!named.snapshot) return nullptr;
  const auto& enums = named.snapshot->enums;
  const auto it =
      std::find_if(enums.begin(), enums.end(), [&](const EnumType& e) { return e.type == type; });
  return it == enums.end() ? nullptr : &*it;
}

bool has_value(const EnumType& type, const std::string& value) {
  return std::find(type.values.begin(), type.values.end(), value) != type.values.end();
}

}  // namespace

std::vector<Finding> rolling_deploy_findings(const Catalog& before, const Catalog& after,
                                             std::span<const NamedSnapshot> previous,
                                             std::span<const NamedSnapshot> next,
                                             std::span<const MigrationScript> scripts) {
  std::vector<Finding> out;
  for (const auto& old_type : before.enums) {
    const EnumType* new_type = after.find(old_type.type);
    const std::string type_name = escape_control(old_type.type.display());
    for (const auto& running : previous) {
      const EnumType* used = snapshot_type(running, old_type.type);
      if (!used) continue;
      if (!new_type) {
        out.push_back({FindingKind::rename_breaks_running_code, Severity::critical, "",
                       std::nullopt,
                       type_name + " is dropped while the running code (" +
                           escape_control(running.name) + ") still uses it",
                       "drop the type in a later deploy, once no running code uses it"});
        point_at(out.back(), dropper_of(scripts, old_type.type));
        continue;
      }
      for (const auto& value : old_type.values) {
        if (has_value(*new_type, value) || !has_value(*used, value)) continue;
        const auto origin = remover_of(scripts, old_type.type, value);
        const MigrationStatement* statement = origin ? origin->statement : nullptr;
        Finding finding{FindingKind::rename_breaks_running_code,
                        Severity::critical,
                        "",
                        std::nullopt,
                        "",
                        "keep the old value until no running code uses it: "
                        "add the new one now, migrate the rows, and remove "
                        "or rename the old one in a later deploy"};
        point_at(finding, origin);
        if (statement && statement->renamed_value && statement->renamed_value->first == value) {
          finding.message = "value '" + escape_control(value) + "' of " + type_name +
                            " is renamed to '" + escape_control(statement->renamed_value->second) +
                            "'";
        } else {
          finding.message = "value '" + escape_control(value) + "' of " + type_name + " is removed";
        }
        finding.message += " while the running code (" + escape_control(running.name) +
                           ") still writes and reads it: its writes fail during the deploy";
        out.push_back(std::move(finding));
      }
    }
  }
  for (const auto& new_type : after.enums) {
    const EnumType* old_type = before.find(new_type.type);
    for (const auto& value : new_type.values) {
      if (old_type && has_value(*old_type, value)) continue;
      const bool written = std::any_of(next.begin(), next.end(), [&](const NamedSnapshot& n) {
        const EnumType* t = snapshot_type(n, new_type.type);
        return t && has_value(*t, value);
      });
      if (!written) continue;
      for (const auto& running : previous) {
        const EnumType* known = snapshot_type(running, new_type.type);
        if (!known || has_value(*known, value)) continue;
        out.push_back({FindingKind::unreadable_by_running_code, Severity::warning, "", std::nullopt,
                       "value '" + escape_control(value) + "' of " +
                           escape_control(new_type.type.display()) +
                           " is written by the new code, and the running code (" +
                           escape_control(running.name) +
                           ") cannot read it: rows it meets during the deploy fail to load",
                       "deploy code that reads the value before code that writes it (the reader "
                       "first, then the writer), or make the running code tolerate unknown "
                       "values"});
        point_at(out.back(), introducer_of(scripts, new_type.type, value));
      }
    }
  }
  return out;
}

std::vector<Finding> lost_dependents(const TypeDependentNames& before,
                                     const TypeDependentNames& after,
                                     std::span<const MigrationScript> scripts) {
  std::vector<Finding> out;
  for (const auto& [type, dependents] : before) {
    const auto now = after.find(type);
    for (const auto& dependent : dependents) {
      if (now != after.end() && now->second.contains(dependent)) continue;
      out.push_back({FindingKind::dependents_lost, Severity::critical, "", std::nullopt,
                     escape_control(dependent) + " depended on " + escape_control(type) +
                         " before the migration and is gone after it (dropped with the type, "
                         "CASCADE, or not re-created)",
                     "re-create it after the type, or keep the type: add values with ALTER "
                     "TYPE ... ADD VALUE, rename with RENAME VALUE"});
      auto origin = remover_of_dependent(scripts, dependent);
      // The type by its schema.name as the reader keys it (nspname.typname).
      if (const auto dot = type.find('.'); !origin && dot != std::string::npos)
        origin = dropper_of(scripts, TypeName{type.substr(0, dot), type.substr(dot + 1)});
      point_at(out.back(), origin);
    }
  }
  return out;
}

std::vector<DriftItem> removed_value_items(const Catalog& before, const Catalog& after) {
  std::vector<DriftItem> out;
  for (const auto& old_type : before.enums) {
    const EnumType* new_type = after.find(old_type.type);
    for (const auto& value : old_type.values) {
      if (new_type && has_value(*new_type, value)) continue;
      DriftItem item;
      item.target = "production";
      item.schema = old_type.type.schema;
      item.enum_name = old_type.type.name;
      item.kind = DriftKind::unexpected_value;
      item.actual = value;
      out.push_back(std::move(item));
    }
  }
  return out;
}

std::vector<Finding> rows_remain_findings(std::span<const DriftItem> items,
                                          std::span<const MigrationScript> scripts) {
  std::vector<Finding> out;
  for (const auto& item : items) {
    const TypeName type_name{item.schema, item.enum_name};
    const std::string type = escape_control(item.schema + "." + item.enum_name);
    for (const auto& impact : item.impact) {
      const std::string value = "value '" + escape_control(impact.value) + "' of " + type;
      if (impact.rows && *impact.rows <= 0) continue;
      if (impact.rows) {
        out.push_back({FindingKind::value_removed_rows_remain, Severity::critical, "", std::nullopt,
                       value + " is removed or renamed while about " +
                           row_count_text(*impact.rows) + " rows in production hold it (" +
                           escape_control(impact.how) +
                           "): the migration fails on them, or they are left unreadable",
                       "update those rows to a value that stays (UPDATE ... SET col = 'new' WHERE "
                       "col = 'old') in an earlier deploy, then remove the value"});
      } else {
        out.push_back({FindingKind::value_removed_rows_remain, Severity::warning, "", std::nullopt,
                       value +
                           " is removed or renamed, and production's statistics cannot say "
                           "whether rows hold it (" +
                           escape_control(impact.how) + ")",
                       "run ANALYZE on the tables using the type, or count the rows with "
                       "enumwatch diff --impact exact"});
      }
      point_at(out.back(), remover_of(scripts, type_name, impact.value));
    }
  }
  return out;
}

std::vector<Finding> drift_findings(std::span<const DriftItem> items, const Catalog& before,
                                    std::span<const MigrationScript> scripts) {
  std::vector<Finding> out;
  for (const auto& item : items) {
    std::string subject = item.enum_name.empty()
                              ? std::string()
                              : escape_control(item.schema + "." + item.enum_name) + ": ";
    out.push_back({FindingKind::drift_after_migration, item.severity(), "", std::nullopt,
                   "after the migration, " + std::string(to_string(item.kind)) + " " + subject +
                       escape_control(item.message),
                   item.remediation_sql ? item.remediation_sql : item.code_fix});
    if (item.table || item.enum_name.empty()) continue;  // checks and revisions: no type
    const TypeName type{item.schema, item.enum_name};
    const EnumType* had = before.find(type);
    const auto* expected = std::get_if<std::string>(&item.expected);
    const auto* actual = std::get_if<std::string>(&item.actual);
    switch (item.kind) {
      case DriftKind::unexpected_value:
      case DriftKind::case_mismatch:
        // A value the migration brought, as the database spells it.
        if (actual && !(had && has_value(*had, *actual)))
          point_at(out.back(), introducer_of(scripts, type, *actual));
        break;
      case DriftKind::missing_value:
        // A value the type had and the migration took away.
        if (expected && had && has_value(*had, *expected))
          point_at(out.back(), remover_of(scripts, type, *expected));
        break;
      case DriftKind::order_mismatch:
      case DriftKind::unexpected_type:
        point_at(out.back(), creator_of(scripts, type));
        break;
      case DriftKind::missing_type:
        if (had) point_at(out.back(), dropper_of(scripts, type));
        break;
      default:
        break;
    }
  }
  return out;
}

bool has_findings_at(const ValidationReport& report, Severity threshold) {
  return std::any_of(report.findings.begin(), report.findings.end(),
                     [&](const Finding& f) { return f.severity >= threshold; });
}

boost::json::value to_json(const ValidationReport& report) {
  boost::json::array statements;
  for (const auto& run : report.statements) {
    boost::json::array locks;
    for (const auto& lock : run.locks)
      locks.push_back(
          {{"relation", lock.relation}, {"mode", lock.mode}, {"rewrite", lock.rewrite}});
    boost::json::object o;
    o["file"] = run.file;
    o["line"] = run.line;
    o["sql"] = run.sql;
    o["tag"] = run.tag;
    o["locks"] = std::move(locks);
    o["rows"] = run.rows ? boost::json::value(*run.rows) : boost::json::value(nullptr);
    statements.push_back(std::move(o));
  }
  boost::json::array findings;
  for (const auto& f : report.findings) {
    boost::json::object o;
    o["kind"] = to_string(f.kind);
    o["severity"] = to_string(f.severity);
    o["file"] = f.file.empty() ? boost::json::value(nullptr) : boost::json::value(f.file);
    o["line"] = f.line ? boost::json::value(*f.line) : boost::json::value(nullptr);
    o["message"] = f.message;
    o["fix"] = f.fix ? boost::json::value(*f.fix) : boost::json::value(nullptr);
    findings.push_back(std::move(o));
  }
  boost::json::array drift;
  for (const auto& item : report.drift) drift.push_back(to_json(item));
  return {{"shadow", report.shadow},
          {"statements", std::move(statements)},
          {"findings", std::move(findings)},
          {"drift", std::move(drift)}};
}

std::string render_validation_text(const ValidationReport& report) {
  std::string out;
  for (const auto& f : report.findings) {
    const std::string where = where_text(f);
    out += (where.empty() ? std::string() : escape_control(where) + ": ") +
           std::string(to_string(f.severity)) + " " + std::string(to_string(f.kind)) + ": " +
           f.message + "\n";
    if (f.fix) out += "    fix: " + escape_control(*f.fix) + "\n";
  }
  std::size_t locking = 0;
  for (const auto& run : report.statements) locking += run.locks.empty() ? 0 : 1;
  out += std::to_string(report.statements.size()) + " statements ran on a throwaway copy (" +
         report.shadow + "), " + std::to_string(locking) + " of them locked existing tables; " +
         (report.findings.empty() ? std::string("no findings")
                                  : std::to_string(report.findings.size()) + " findings") +
         "\n";
  return out;
}

std::string render_validation_markdown(const ValidationReport& report) {
  std::string out = "### enumwatch validate\n\n";
  const bool critical = has_findings_at(report, Severity::critical);
  out += report.findings.empty()
             ? "No findings: the migration ran on a throwaway copy and matches the code.\n"
             : std::string(critical ? "**Critical findings**" : "Findings") + ": " +
                   std::to_string(report.findings.size()) + ".\n";
  if (!report.findings.empty()) {
    out += "\n| severity | kind | where | what | fix |\n|---|---|---|---|---|\n";
    for (const auto& f : report.findings) {
      out += "| " + std::string(to_string(f.severity)) + " | " + std::string(to_string(f.kind)) +
             " | " + cell(where_text(f)) + " | " + cell(f.message) + " | " +
             (f.fix ? cell(*f.fix) : std::string()) + " |\n";
    }
  }
  bool header = false;
  for (const auto& run : report.statements) {
    for (const auto& lock : run.locks) {
      if (!header) {
        out += "\n| statement | table | lock | rewrite |\n|---|---|---|---|\n";
        header = true;
      }
      out += "| " + cell(run.file + ":" + std::to_string(run.line) + " " + run.tag) + " | " +
             cell(lock.relation) + " | " + cell(lock.mode) + " | " + (lock.rewrite ? "yes" : "no") +
             " |\n";
    }
  }
  return out;
}

}  // namespace enumwatch
