// Drizzle: pgEnum and pgSchema(...).enum, with values the TypeScript compiler resolves across
// files; look-alikes that are not Drizzle's are never read.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { FIXTURES, enumsOf, project, run } from "./helpers.js";

const IMPORT = 'import { pgEnum, pgSchema } from "drizzle-orm/pg-core";\n';

test("the Drizzle fixture: imported as-const arrays, string enums, spreads, pgSchema, namespace and re-exported builders", () => {
  const r = run(["snapshot", "--project", "test/fixtures/drizzle"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(FIXTURES, "drizzle", "expected.toml"), "utf8"));
  // lookalike.ts's pgEnum and schema.enum are the project's own functions: not_a_type is absent.
  assert.deepEqual(r.warnings, [
    'test/fixtures/drizzle/src/db/schema.ts:19: enum "internal_kind" is not exported: drizzle-kit creates only the enums a schema file exports',
  ]);
});

test("names and values from constants, template strings and Object.values; a schema from a constant", (t) => {
  const dir = project(t, {
    "src/names.ts": 'export const PREFIX = "app";\nexport const SCHEMA_NAME = "ops";\n',
    "src/schema.ts":
      IMPORT +
      'import { PREFIX, SCHEMA_NAME } from "./names";\n' +
      'export enum Level { Low = "low", High = `high` }\n' +
      "export const level = pgEnum(`${PREFIX}_level`, Object.values(Level) as [string, ...string[]]);\n" +
      "const ops = pgSchema(SCHEMA_NAME);\n" +
      'export const state = ops.enum("state", ["up", "down"] satisfies readonly string[]);\n' +
      'export const single = (pgEnum)("single", ["only"]);\n',
  });
  const r = run(["snapshot"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(enumsOf(r.stdout), {
    "ops.state": ["up", "down"],
    "public.app_level": ["low", "high"],
    "public.single": ["only"],
  });
  assert.deepEqual(r.warnings, []);
});

test("values it cannot know are warned about and skipped, not guessed", (t) => {
  const dir = project(t, {
    "src/schema.ts":
      IMPORT +
      "declare function load(): string[];\n" +
      'export const dynamic = pgEnum("dynamic", load() as [string, ...string[]]);\n' +
      'export const fine = pgEnum("fine", ["a"]);\n',
  });
  const r = run(["snapshot"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(enumsOf(r.stdout), { "public.fine": ["a"] });
  assert.deepEqual(r.warnings, ['src/schema.ts:3: enum "dynamic": cannot read the value of load(): skipped']);
});

test("a numeric enum's Object.values are its names and its numbers, and that is warned about", (t) => {
  const dir = project(t, {
    "src/schema.ts": IMPORT + "enum Tier { Free, Pro }\nexport const tier = pgEnum(\"tier\", Object.values(Tier) as any);\n",
  });
  const r = run(["snapshot"], { cwd: dir });
  assert.deepEqual(enumsOf(r.stdout), { "public.tier": ["Free", "Pro", "0", "1"] });
  assert.deepEqual(r.warnings, [
    'src/schema.ts:3: enum "tier": the numbers 0, 1 become the labels "0", "1" ' +
      "(Object.values of a numeric TypeScript enum holds its member names and its numbers)",
  ]);
});

test("imports through tsconfig paths and .js specifiers resolve to the project's files", (t) => {
  const dir = project(t, {
    "tsconfig.json": '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } } // comments are fine\n}',
    "src/values/status.ts": 'export const STATUS = ["new", "done"] as const;\n',
    "src/values/index.ts": 'export * from "./status.js";\n',
    "src/db/schema.ts": IMPORT + 'import { STATUS } from "@/values";\nexport const status = pgEnum("status", STATUS);\n',
  });
  const r = run(["snapshot"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(enumsOf(r.stdout), { "public.status": ["new", "done"] });
});

test("node_modules, hidden directories, declaration files and tests are never read", (t) => {
  const enumFile = IMPORT + 'export const e = pgEnum("from_KIND", ["x"]);\n';
  const dir = project(t, {
    "node_modules/dep/index.ts": enumFile.replace("KIND", "node_modules"),
    ".cache/gen.ts": enumFile.replace("KIND", "hidden"),
    "types/schema.d.ts": enumFile.replace("KIND", "declaration"),
    "src/schema.test.ts": enumFile.replace("KIND", "test"),
    "src/schema.spec.tsx": enumFile.replace("KIND", "spec"),
    "src/__tests__/fixture.ts": enumFile.replace("KIND", "tests_directory"),
    "src/schema.ts": enumFile.replace("KIND", "source"),
  });
  const r = run(["snapshot"], { cwd: dir });
  assert.deepEqual(enumsOf(r.stdout), { "public.from_source": ["x"] });
});
