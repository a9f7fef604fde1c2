#include "enumwatch/catalog/dependents.hpp"

#include <array>
#include <string>

#include "enumwatch/core/error.hpp"

namespace enumwatch {
namespace {

// The family: the type, the domains and composite types built on it (domains over domains, a
// composite with an attribute of an array of a domain, ...) and the array types of all of them.
// The recipe recreates the domains and composites with the type and converts the table columns of
// any family type (docs/remediation.md, "Domains and composite types").
// Seeds: what depends on a family type, except the family itself (a domain's constraints and a
// composite's attributes are part of its definition), and what depends on the table columns the
// recipe converts in a way that stops ALTER COLUMN TYPE (views and rules, policies, triggers,
// generated columns). Units: a view's rule stands for the view, a constraint's index for the
// constraint. Then, recursively, what depends on a unit that is dropped (views on views,
// functions used by views, a materialized view's indexes). Plain indexes and constraints on a
// converted column that do not name the type are left to ALTER COLUMN TYPE, which rebuilds them.
constexpr std::string_view kDependentsHead = R"sql(WITH RECURSIVE typ AS (
  SELECT t.oid, t.typarray
  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = $1 AND t.typname = $2
), derived(parent, child) AS (
  SELECT oid, typarray FROM pg_catalog.pg_type WHERE typarray <> 0
  UNION ALL
  SELECT typbasetype, oid FROM pg_catalog.pg_type WHERE typtype = 'd'
  UNION ALL
  SELECT a.atttypid, ct.oid
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind = 'c'
  JOIN pg_catalog.pg_type ct ON ct.typrelid = c.oid
  WHERE a.attnum > 0 AND NOT a.attisdropped
), family_walk(oid, depth) AS (
  SELECT oid, 0 FROM typ
  UNION
  SELECT d.child, f.depth + 1 FROM family_walk f JOIN derived d ON d.parent = f.oid
  WHERE f.depth < 32
), family AS (
  SELECT w.oid, pg_catalog.max(w.depth) AS depth, ft.typtype, ft.typrelid
  FROM family_walk w JOIN pg_catalog.pg_type ft ON ft.oid = w.oid
  GROUP BY w.oid, ft.typtype, ft.typrelid
), col AS (
  SELECT a.attrelid, a.attnum, a.attinhcount, a.atttypid
  FROM family, pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  WHERE a.atttypid = family.oid AND a.attnum > 0 AND NOT a.attisdropped
    AND c.relkind IN ('r', 'p', 'f')
), seed AS (
  SELECT d.classid, d.objid, d.objsubid
  FROM family, pg_catalog.pg_depend d
  WHERE d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass
    AND d.refobjid = family.oid AND d.deptype = 'n'
    AND NOT (d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
             AND d.objid IN (SELECT oid FROM family))
    AND NOT (d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
             AND d.objid IN (SELECT typrelid FROM family WHERE typtype = 'c'))
    AND NOT (d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
             AND d.objid IN (SELECT con.oid FROM pg_catalog.pg_constraint con
                             WHERE con.contypid IN (SELECT oid FROM family)))
  UNION
  SELECT d.classid, d.objid, d.objsubid
  FROM col JOIN pg_catalog.pg_depend d
    ON d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = col.attrelid
   AND d.refobjsubid = col.attnum
  WHERE d.classid IN ('pg_catalog.pg_rewrite'::pg_catalog.regclass,
                      'pg_catalog.pg_policy'::pg_catalog.regclass,
                      'pg_catalog.pg_trigger'::pg_catalog.regclass,
                      'pg_catalog.pg_attrdef'::pg_catalog.regclass)
), unit(depth, classid, objid, objsubid) AS (
  SELECT 1, u.* FROM seed d
)sql";
// The unit a pg_depend row `d` stands for; the seed and the recursive step map the same way.
constexpr std::string_view kUnitOf = R"sql(  CROSS JOIN LATERAL (
    SELECT CASE WHEN rw.rulename = '_RETURN' OR cl.relkind IN ('v', 'm') THEN 'pg_catalog.pg_class'::pg_catalog.regclass
                WHEN con.oid IS NOT NULL THEN 'pg_catalog.pg_constraint'::pg_catalog.regclass
                ELSE d.classid END,
           CASE WHEN rw.rulename = '_RETURN' THEN rw.ev_class WHEN con.oid IS NOT NULL THEN con.oid
                ELSE d.objid END,
           CASE WHEN cl.relkind IN ('r', 'p', 'f', 'c') THEN d.objsubid ELSE 0 END
    FROM (SELECT) one
    LEFT JOIN pg_catalog.pg_rewrite rw ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND rw.oid = d.objid
    LEFT JOIN pg_catalog.pg_class cl ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND cl.oid = d.objid
    LEFT JOIN pg_catalog.pg_constraint con ON cl.relkind IN ('i', 'I') AND con.conindid = cl.oid AND con.contype IN ('p', 'u', 'x')
  ) u
)sql";
constexpr std::string_view kDependentsMiddle = R"sql(  UNION
  SELECT p.depth + 1, u.*
  FROM unit p
  JOIN pg_catalog.pg_depend d ON d.refclassid = p.classid AND d.refobjid = p.objid
   AND (d.deptype = 'n' OR (d.deptype = 'a' AND p.classid = 'pg_catalog.pg_class'::pg_catalog.regclass))
)sql";
constexpr std::string_view kDependentsTail =
    R"sql(  WHERE p.depth < 16 AND p.objsubid = 0 AND NOT (u.classid = p.classid AND u.objid = p.objid)
), units AS (
  SELECT classid, objid, objsubid, max(depth) AS depth FROM unit GROUP BY 1, 2, 3
)
SELECT u.depth, k.kind, k.schema, k.name, k.rel_schema, k.rel_name, k.col, k.definition, k.identity,
       k.owner, k.acl, k.comment, k.populated, k.options, k.why, NULL::text AS bytes, NULL::text AS est_rows,
       CASE WHEN k.kind IN ('view', 'materialized_view') THEN
         (SELECT pg_catalog.json_object_agg(a.attname, d.description ORDER BY a.attnum)
          FROM pg_catalog.pg_description d
          JOIN pg_catalog.pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid
          WHERE d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objoid = u.objid
            AND d.objsubid > 0)::text END AS column_comments,
       cv.convert_to, cv.convert_default
FROM units u
CROSS JOIN LATERAL (
  -- views, materialized views, indexes; table columns (converted by the recipe, or not convertible)
  SELECT CASE WHEN u.objsubid > 0 AND cl.relkind = 'p' AND u.objsubid = ANY (pt.partattrs::int2[]) THEN 'unsupported'
              WHEN u.objsubid > 0 AND col.attrelid IS NOT NULL THEN 'column'
              WHEN u.objsubid > 0 THEN 'unsupported'
              WHEN cl.relkind = 'v' THEN 'view' WHEN cl.relkind = 'm' THEN 'materialized_view'
              WHEN cl.relkind IN ('i', 'I') AND cl.relispartition THEN 'inherited'
              WHEN cl.relkind IN ('i', 'I') THEN 'index' ELSE 'unsupported' END AS kind,
         ns.nspname AS schema, cl.relname AS name,
         CASE WHEN cl.relkind IN ('i', 'I') THEN tn.nspname END AS rel_schema,
         CASE WHEN cl.relkind IN ('i', 'I') THEN tc.relname END AS rel_name,
         att.attname AS col,
         CASE WHEN u.objsubid > 0 THEN pg_catalog.format_type(att.atttypid, att.atttypmod)
                || CASE WHEN att.attnotnull THEN ' NOT NULL' ELSE '' END
                || COALESCE(' DEFAULT ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '')
              WHEN cl.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(cl.oid)
              WHEN cl.relkind IN ('i', 'I') THEN pg_catalog.pg_get_indexdef(cl.oid) END AS definition,
         NULL::text AS identity,
         CASE WHEN cl.relkind IN ('v', 'm') THEN pg_catalog.pg_get_userbyid(cl.relowner) END AS owner,
         CASE WHEN cl.relkind IN ('v', 'm') THEN (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END, 'privilege', a.privilege_type, 'grantable', a.is_grantable) ORDER BY a.grantee, a.privilege_type) FROM pg_catalog.aclexplode(cl.relacl) a)::text END AS acl,
         CASE WHEN cl.relkind IN ('v', 'm', 'i', 'I') THEN pg_catalog.obj_description(cl.oid, 'pg_class') END AS comment,
         CASE WHEN cl.relkind = 'm' THEN cl.relispopulated::text END AS populated,
         pg_catalog.array_to_string(cl.reloptions, ',') AS options,
         CASE WHEN u.objsubid > 0 AND cl.relkind = 'p' AND u.objsubid = ANY (pt.partattrs::int2[])
                THEN 'it is in the partition key of table ' || pg_catalog.quote_ident(ns.nspname) || '.' || pg_catalog.quote_ident(cl.relname) || ', and PostgreSQL cannot change the type of a partition key column'
              WHEN u.objsubid > 0 AND col.attrelid IS NULL
                THEN pg_catalog.pg_describe_object(u.classid, u.objid, u.objsubid) || ' uses it, and only table columns are converted here'
              WHEN u.objsubid = 0 AND cl.relkind NOT IN ('v', 'm', 'i', 'I') THEN pg_catalog.pg_describe_object(u.classid, u.objid, u.objsubid) || ' depends on it' END AS why
  FROM pg_catalog.pg_class cl
  JOIN pg_catalog.pg_namespace ns ON ns.oid = cl.relnamespace
  LEFT JOIN pg_catalog.pg_index ix ON ix.indexrelid = cl.oid
  LEFT JOIN pg_catalog.pg_class tc ON tc.oid = ix.indrelid
  LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
  LEFT JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid = cl.oid
  LEFT JOIN pg_catalog.pg_attribute att ON u.objsubid > 0 AND att.attrelid = cl.oid AND att.attnum = u.objsubid
  LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = att.attrelid AND ad.adnum = att.attnum
  LEFT JOIN col ON col.attrelid = u.objid AND col.attnum = u.objsubid
  WHERE u.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND cl.oid = u.objid
  UNION ALL
  -- constraints of tables (a domain's constraints belong to the domain: not convertible here)
  SELECT CASE WHEN con.conrelid = 0 THEN 'unsupported'
              WHEN con.coninhcount > 0 OR con.conparentid <> 0 THEN 'inherited'
              ELSE 'constraint' END, ns.nspname, con.conname,
         tn.nspname, tc.relname, NULL, pg_catalog.pg_get_constraintdef(con.oid), NULL, NULL, NULL,
         pg_catalog.obj_description(con.oid, 'pg_constraint'), NULL, NULL,
         CASE WHEN con.conrelid = 0 THEN pg_catalog.pg_describe_object(u.classid, u.objid, 0) || ' depends on it' END
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_namespace ns ON ns.oid = con.connamespace
  LEFT JOIN pg_catalog.pg_class tc ON tc.oid = con.conrelid
  LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
  WHERE u.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND con.oid = u.objid
  UNION ALL
  -- column defaults of other columns; a converted column's default travels with the column
  SELECT CASE WHEN att.attgenerated <> '' THEN 'unsupported' ELSE 'default' END, NULL, NULL,
         tn.nspname, tc.relname, att.attname, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
         NULL, NULL, NULL, NULL, NULL, NULL,
         CASE WHEN att.attgenerated <> '' THEN 'generated column ' || pg_catalog.quote_ident(tn.nspname) || '.' || pg_catalog.quote_ident(tc.relname) || '.' || pg_catalog.quote_ident(att.attname) || ' is computed from it, and PostgreSQL cannot change the type of a column a generated column uses' END
  FROM pg_catalog.pg_attrdef ad
  JOIN pg_catalog.pg_attribute att ON att.attrelid = ad.adrelid AND att.attnum = ad.adnum
  JOIN pg_catalog.pg_class tc ON tc.oid = ad.adrelid
  JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
  WHERE u.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND ad.oid = u.objid
    AND NOT EXISTS (SELECT 1 FROM col WHERE col.attrelid = ad.adrelid AND col.attnum = ad.adnum)
  UNION ALL
  SELECT 'policy', NULL, pol.polname, tn.nspname, tc.relname, NULL,
         pg_catalog.json_build_object(
           'permissive', pol.polpermissive, 'command', pol.polcmd,
           'roles', (SELECT pg_catalog.json_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r)) END ORDER BY o)
                     FROM pg_catalog.unnest(pol.polroles) WITH ORDINALITY AS x(r, o)),
           'using', pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),
           'check', pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid))::text,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM pg_catalog.pg_policy pol
  JOIN pg_catalog.pg_class tc ON tc.oid = pol.polrelid
  JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
  WHERE u.classid = 'pg_catalog.pg_policy'::pg_catalog.regclass AND pol.oid = u.objid
  UNION ALL
  SELECT CASE WHEN tg.tgparentid <> 0 THEN 'inherited' ELSE 'trigger' END, NULL, tg.tgname,
         tn.nspname, tc.relname, NULL, pg_catalog.pg_get_triggerdef(tg.oid),
         NULL, NULL, NULL, pg_catalog.obj_description(tg.oid, 'pg_trigger'), NULL, tg.tgenabled::text, NULL
  FROM pg_catalog.pg_trigger tg
  JOIN pg_catalog.pg_class tc ON tc.oid = tg.tgrelid
  JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
  WHERE u.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND tg.oid = u.objid AND NOT tg.tgisinternal
  UNION ALL
  SELECT 'rule', NULL, rw.rulename, tn.nspname, tc.relname, NULL, pg_catalog.pg_get_ruledef(rw.oid),
         NULL, NULL, NULL, pg_catalog.obj_description(rw.oid, 'pg_rewrite'), NULL, NULL, NULL
  FROM pg_catalog.pg_rewrite rw
  JOIN pg_catalog.pg_class tc ON tc.oid = rw.ev_class
  JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
  WHERE u.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND rw.oid = u.objid
  UNION ALL
  SELECT CASE pr.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure' ELSE 'unsupported' END,
         ns.nspname, pr.proname, NULL, NULL, NULL,
         CASE WHEN pr.prokind IN ('f', 'p') THEN pg_catalog.pg_get_functiondef(pr.oid) END,
         pg_catalog.pg_get_function_identity_arguments(pr.oid), pg_catalog.pg_get_userbyid(pr.proowner),
         (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END, 'privilege', a.privilege_type, 'grantable', a.is_grantable) ORDER BY a.grantee, a.privilege_type) FROM pg_catalog.aclexplode(pr.proacl) a)::text, pg_catalog.obj_description(pr.oid, 'pg_proc'), NULL, NULL,
         CASE WHEN pr.prokind NOT IN ('f', 'p') THEN pg_catalog.pg_describe_object(u.classid, u.objid, 0) || ' depends on it' END
  FROM pg_catalog.pg_proc pr
  JOIN pg_catalog.pg_namespace ns ON ns.oid = pr.pronamespace
  WHERE u.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND pr.oid = u.objid
  UNION ALL
  SELECT 'statistics', ns.nspname, st.stxname, NULL, NULL, NULL,
         pg_catalog.pg_get_statisticsobjdef(st.oid), NULL, pg_catalog.pg_get_userbyid(st.stxowner), NULL,
         pg_catalog.obj_description(st.oid, 'pg_statistic_ext'), NULL, NULL, NULL
  FROM pg_catalog.pg_statistic_ext st
  JOIN pg_catalog.pg_namespace ns ON ns.oid = st.stxnamespace
  WHERE u.classid = 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass AND st.oid = u.objid
  UNION ALL
  SELECT 'unsupported', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         pg_catalog.pg_describe_object(u.classid, u.objid, u.objsubid) || ' depends on it'
  WHERE u.classid NOT IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_constraint'::pg_catalog.regclass,
                          'pg_catalog.pg_attrdef'::pg_catalog.regclass, 'pg_catalog.pg_policy'::pg_catalog.regclass,
                          'pg_catalog.pg_trigger'::pg_catalog.regclass, 'pg_catalog.pg_rewrite'::pg_catalog.regclass,
                          'pg_catalog.pg_proc'::pg_catalog.regclass, 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass)
) k
-- a table column of a domain or composite over the type (not the type or its array, which the
-- poll's column list covers): the type it is converted to, and its default, dropped and set again
LEFT JOIN LATERAL (
  SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) AS convert_to,
         pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS convert_default
  FROM col
  JOIN pg_catalog.pg_attribute a ON a.attrelid = col.attrelid AND a.attnum = col.attnum
  LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  WHERE k.kind = 'column' AND col.attrelid = u.objid AND col.attnum = u.objsubid
    AND col.attinhcount = 0
    AND col.atttypid NOT IN (SELECT oid FROM typ UNION ALL SELECT typarray FROM typ)
) cv ON true
UNION ALL
-- the domains and composite types over it, recreated with it; a composite's attribute comments
SELECT f.depth, CASE f.typtype WHEN 'd' THEN 'domain' ELSE 'composite' END, ns.nspname, ft.typname,
       NULL, NULL, NULL,
       CASE WHEN f.typtype = 'd' THEN pg_catalog.json_build_object(
         'base', pg_catalog.format_type(ft.typbasetype, ft.typtypmod),
         'default', pg_catalog.pg_get_expr(ft.typdefaultbin, 0),
         'not_null', ft.typnotnull,
         'constraints', (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                                  'name', con.conname, 'definition', pg_catalog.pg_get_constraintdef(con.oid),
                                  'comment', pg_catalog.obj_description(con.oid, 'pg_constraint')) ORDER BY con.conname)
                         FROM pg_catalog.pg_constraint con WHERE con.contypid = ft.oid))
       ELSE pg_catalog.json_build_object('attributes', (
         SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                  'name', a.attname,
                  'type', pg_catalog.format_type(a.atttypid, a.atttypmod)
                          || CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation
                               THEN ' COLLATE ' || pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
                               ELSE '' END) ORDER BY a.attnum)
         FROM pg_catalog.pg_attribute a
         JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
         WHERE a.attrelid = ft.typrelid AND a.attnum > 0 AND NOT a.attisdropped)) END::text,
       NULL, pg_catalog.pg_get_userbyid(ft.typowner),
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END, 'privilege', a.privilege_type, 'grantable', a.is_grantable) ORDER BY a.grantee, a.privilege_type) FROM pg_catalog.aclexplode(ft.typacl) a)::text,
       pg_catalog.obj_description(ft.oid, 'pg_type'), NULL, NULL, NULL, NULL, NULL,
       CASE WHEN f.typtype = 'c' THEN
         (SELECT pg_catalog.json_object_agg(a.attname, d.description ORDER BY a.attnum)
          FROM pg_catalog.pg_description d
          JOIN pg_catalog.pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid
          WHERE d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objoid = ft.typrelid
            AND d.objsubid > 0)::text END,
       NULL, NULL
FROM family f
JOIN pg_catalog.pg_type ft ON ft.oid = f.oid
JOIN pg_catalog.pg_namespace ns ON ns.oid = ft.typnamespace
WHERE f.depth > 0 AND f.typtype IN ('d', 'c')
UNION ALL
-- the tables the recipe rewrites: size and rows, partitions included
SELECT 0, 'table', tn.nspname, tc.relname, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       (SELECT pg_catalog.sum(pg_catalog.pg_relation_size(c2.oid))::bigint::text FROM pg_catalog.pg_class c2
         WHERE c2.oid = tc.oid OR c2.oid IN (SELECT relid FROM pg_catalog.pg_partition_tree(tc.oid))),
       (SELECT pg_catalog.sum(GREATEST(c2.reltuples, 0))::bigint::text FROM pg_catalog.pg_class c2
         WHERE c2.oid = tc.oid OR c2.oid IN (SELECT relid FROM pg_catalog.pg_partition_tree(tc.oid))),
       NULL, NULL, NULL
FROM (SELECT DISTINCT attrelid FROM col WHERE attinhcount = 0) c
JOIN pg_catalog.pg_class tc ON tc.oid = c.attrelid AND NOT tc.relispartition
JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
ORDER BY 1, 2, 3, 4, 5, 6, 7)sql";

constexpr std::array<std::pair<std::string_view, Dependent::Kind>, 16> kKinds{{
    {"column", Dependent::Kind::column},
    {"index", Dependent::Kind::index},
    {"constraint", Dependent::Kind::constraint},
    {"view", Dependent::Kind::view},
    {"materialized_view", Dependent::Kind::materialized_view},
    {"policy", Dependent::Kind::policy},
    {"trigger", Dependent::Kind::trigger},
    {"rule", Dependent::Kind::rule},
    {"function", Dependent::Kind::function},
    {"procedure", Dependent::Kind::procedure},
    {"statistics", Dependent::Kind::statistics},
    {"domain", Dependent::Kind::domain},
    {"composite", Dependent::Kind::composite},
    {"default", Dependent::Kind::default_value},
    {"unsupported", Dependent::Kind::unsupported},
    {"inherited", Dependent::Kind::inherited},
}};

constexpr std::size_t kColumns = 20;

}  // namespace

std::string_view dependents_sql() {
  static const std::string sql = std::string(kDependentsHead) + std::string(kUnitOf) +
                                 std::string(kDependentsMiddle) + std::string(kUnitOf) +
                                 std::string(kDependentsTail);
  return sql;
}

std::string_view to_string(Dependent::Kind kind) {
  for (const auto& [name, k] : kKinds) {
    if (k == kind) return name;
  }
  return "unsupported";
}

TypeDependents decode_dependents(const Rows& rows) {
  TypeDependents out;
  for (const auto& row : rows) {
    if (row.size() != kColumns || !row[1]) {
      throw Error("unexpected row shape from the dependents query (" + std::to_string(row.size()) +
                  " columns, expected " + std::to_string(kColumns) + ")");
    }
    const std::string& kind = *row[1];
    if (kind == "table") {
      out.tables.push_back({row_text(row, 2), row_text(row, 3), row_number(row, 15, "dependents"),
                            row_number(row, 16, "dependents")});
      continue;
    }
    Dependent d;
    d.kind = Dependent::Kind::unsupported;
    for (const auto& [name, k] : kKinds) {
      if (name == kind) d.kind = k;
    }
    d.depth = static_cast<int>(row_number(row, 0, "dependents"));
    d.schema = row_text(row, 2);
    d.name = row_text(row, 3);
    d.table_schema = row_text(row, 4);
    d.table = row_text(row, 5);
    d.column = row_text(row, 6);
    d.definition = row_text(row, 7);
    d.identity = row_text(row, 8);
    d.owner = row[9];
    d.grants = row[10];
    d.comment = row[11];
    d.populated = row_text(row, 12) != "false";
    d.options = row_text(row, 13);
    d.why = row_text(row, 14);
    d.column_comments = row[17];
    d.convert_to = row[18];
    d.convert_default = row[19];
    if (d.kind == Dependent::Kind::unsupported && d.why.empty())
      d.why = "a " + kind + " depends on it";
    out.objects.push_back(std::move(d));
  }
  return out;
}

CatalogRead<TypeDependents> dependents_read(const TypeName& type) {
  return {std::string(dependents_sql()), {type.schema, type.name}, decode_dependents};
}

}  // namespace enumwatch
