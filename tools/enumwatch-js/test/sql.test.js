// The SQL read from migrations and CHECK expressions: a tokenizer, the enum DDL replay, and the
// membership tests that make a CHECK an enum. No regular expression reads SQL here.

import assert from "node:assert/strict";
import { test } from "node:test";
import { replayScript, typeKey } from "../src/sql/enum_replay.js";
import { SqlSyntaxError, statements, tokenize } from "../src/sql/lexer.js";
import { parseMembership } from "../src/sql/membership.js";

/** @param {string} sql */
function replay(sql) {
  /** @type {Map<string, any>} */
  const types = new Map();
  /** @type {string[]} */
  const warnings = [];
  replayScript(sql, "m.sql", types, (where, message) => warnings.push(`${where}: ${message}`));
  return { types: Object.fromEntries([...types.values()].map((t) => [`${t.schema}.${t.name}`, t.values])), warnings };
}

test("the tokenizer: comments, quoted identifiers, escape strings, continuations, dollar quotes, folding", () => {
  const tokens = tokenize(
    "/* a /* nested */ comment */ SELECT \"Mixed\"\"Case\", Plain, E'tab\\there\\x41\\u00e9', 'it''s' -- to the end\n" +
      "'con'\n  'tinued', $fn$ CREATE TYPE x AS ENUM ('no'); $fn$, $$x$$, 1.5e3::int;",
  );
  assert.deepEqual(
    tokens.map((t) => [t.kind, t.value]),
    [
      ["ident", "select"], ["qident", 'Mixed"Case'], ["op", ","], ["ident", "plain"], ["op", ","],
      ["string", "tab\thereAé"], ["op", ","], ["string", "it's"], ["string", "continued"], ["op", ","],
      ["string", " CREATE TYPE x AS ENUM ('no'); "], ["op", ","], ["string", "x"], ["op", ","],
      ["number", "1.5e3"], ["op", "::"], ["ident", "int"], ["op", ";"],
    ],
  );
  assert.equal(tokens[8].line, 2, "the continued string starts on line 2");
  assert.equal(statements(tokenize("a; ; b c;")).length, 2);
  assert.throws(() => tokenize("SELECT 'open"), SqlSyntaxError);
  assert.throws(() => tokenize("/* open"), SqlSyntaxError);
});

test("the replay follows CREATE, ADD VALUE BEFORE/AFTER, RENAME VALUE, RENAME TO, SET SCHEMA and DROP", () => {
  const { types, warnings } = replay(`
    CREATE TYPE "Order Status" AS ENUM ('new', 'paid');
    ALTER TYPE "Order Status" ADD VALUE 'pending' BEFORE 'paid';
    ALTER TYPE "Order Status" ADD VALUE IF NOT EXISTS 'refunded' AFTER 'paid';
    ALTER TYPE "Order Status" ADD VALUE IF NOT EXISTS 'new';
    ALTER TYPE "Order Status" RENAME VALUE 'new' TO 'created';
    CREATE TYPE Shop.Kind AS ENUM ();
    ALTER TYPE shop.kind ADD VALUE 'Big';
    ALTER TYPE shop.kind RENAME TO size;
    ALTER TYPE shop.size SET SCHEMA catalog;
    CREATE TYPE gone AS ENUM ('x');
    DROP TYPE IF EXISTS gone, never_created CASCADE;
    CREATE TYPE pair AS (a int, b int);
    COMMENT ON TYPE "Order Status" IS 'CREATE TYPE fake AS ENUM (''no'')';
  `);
  assert.deepEqual(types, {
    "public.Order Status": ["created", "pending", "paid", "refunded"],
    "catalog.size": ["Big"],
  });
  assert.deepEqual(warnings, []);
});

test("what it cannot read, or what cannot be, is warned about with the line", () => {
  const { types, warnings } = replay(
    "CREATE TYPE a AS ENUM ('x', y);\nCREATE TYPE b AS ENUM ('x');\nALTER TYPE b ADD VALUE 'z' AFTER 'nope';\nALTER TYPE b ADD VALUE 'x';\n",
  );
  assert.deepEqual(types, { "public.b": ["x"] });
  assert.deepEqual(warnings, [
    "m.sql:1: cannot read this CREATE TYPE ... AS ENUM: skipped",
    'm.sql:3: ALTER TYPE ... AFTER "nope": the type has no such value',
    'm.sql:4: ALTER TYPE adds "x", which the type already has',
  ]);
  assert.equal(typeKey("s", "n"), '["s","n"]');
});

test("membership tests are read in PostgreSQL's spellings, anything else is not an enum", () => {
  const cases = [
    [`"status" IN ('a', 'b')`, { column: "status", values: ["a", "b"] }],
    [`Status in ('a')`, { column: "status", values: ["a"] }],
    [`((status)::text = ANY ((ARRAY['x'::character varying, 'y'::character varying])::text[]))`, { column: "status", values: ["x", "y"] }],
    [`channel = ANY (ARRAY['web', 'store'])`, { column: "channel", values: ["web", "store"] }],
    [`(kind IN ('it''s', E'tab\\t'))`, { column: "kind", values: ["it's", "tab\t"] }],
    [`age > 0`, null],
    [`"a" IN ('x') OR "b" IN ('y')`, null],
    [`"a" NOT IN ('x')`, null],
    [`"a" IN (1, 2)`, null],
    [`"a" IN ('x'`, null],
    [`'unterminated`, null],
  ];
  for (const [expression, expected] of cases) assert.deepEqual(parseMembership(/** @type {string} */ (expression)), expected, String(expression));
});
