// Prisma schemas: what Prisma Migrate creates, read by Prisma's own parser, and the traps it
// warns about (a label spelled otherwise in prisma/migrations, a forgotten @map).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { FIXTURES, enumsOf, project, run, write } from "./helpers.js";

const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n';

test("the multi-schema fixture: @map labels, @@map names, @@schema schemas, exactly the expected snapshot", () => {
  const r = run(["snapshot", "--project", "test/fixtures/prisma-multischema"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(FIXTURES, "prisma-multischema", "expected.toml"), "utf8"));
  // The migrations (ADD VALUE, DROP TYPE, Prisma's rename-and-drop removal of GBP) agree.
  assert.deepEqual(r.warnings, []);
});

test("a Prisma 6 schema (with url) is read by Prisma 6's parser, and both traps are named with their place", () => {
  const r = run(["snapshot", "--project", "test/fixtures/prisma-v6"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(enumsOf(r.stdout), { "public.order_status": ["PendingPayment", "paid", "cancelled"] });
  assert.equal(r.warnings.length, 2, r.stderr);
  assert.match(r.warnings[0], /^test\/fixtures\/prisma-v6\/prisma\/schema\.prisma:11: enum OrderStatus: value PendingPayment has no @map/);
  assert.equal(
    r.warnings[1],
    "test/fixtures/prisma-v6/prisma/schema.prisma:11: enum OrderStatus: the schema's label \"PendingPayment\" is spelled " +
      '"pending_payment" in the migrations (test/fixtures/prisma-v6/prisma/migrations/20230601000000_init/migration.sql:2): ' +
      'Prisma writes "PendingPayment", the database has "pending_payment"; add @map("pending_payment") or a migration',
  );
});

test("the same enums come out of a schema with url (Prisma 6) and without (Prisma 7)", (t) => {
  const body = 'enum Role {\n  ADMIN @map("admin")\n  USER\n  @@map("role")\n}\n';
  const seven = project(t, { "prisma/schema.prisma": DATASOURCE + body });
  const six = project(t, { "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("DB")\n}\n' + body });
  const a = run(["snapshot", "--project", seven]);
  const b = run(["snapshot", "--project", six]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(enumsOf(a.stdout), { "public.role": ["admin", "USER"] });
  assert.deepEqual(enumsOf(b.stdout), enumsOf(a.stdout));
});

test("migrations that lack a type or a label, or have one more, are warned about", (t) => {
  const dir = project(t, {
    "prisma/schema.prisma": DATASOURCE + "enum Size {\n  small\n  large\n  huge\n}\nenum Colour {\n  red\n}\n",
    "prisma/migrations/1_init/migration.sql": `CREATE TYPE "Size" AS ENUM ('small', 'large', 'tiny');\n`,
  });
  const r = run(["snapshot", "--project", dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(enumsOf(r.stdout), { "public.Colour": ["red"], "public.Size": ["small", "large", "huge"] });
  const text = r.warnings.join("\n");
  assert.match(text, /enum Size: no migration adds the label "huge"/);
  assert.match(text, /enum Size: the migrations \(.*migration\.sql:1\) have the label "tiny", the schema does not/);
  assert.match(text, /enum Colour: no migration in .*migrations creates type "Colour" in schema "public"/);
});

test("a schema that Prisma rejects exits 2 with one line naming the file and line", (t) => {
  const dir = project(t, { "prisma/schema.prisma": DATASOURCE + "enum Role {\n  ADMIN\n  ADMIN\n}\n" });
  const r = run(["snapshot"], { cwd: dir });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, 'enumwatch-js: prisma/schema.prisma:6: Value "ADMIN" is already defined on enum "Role".\n');

  write(dir, { "prisma/schema.prisma": DATASOURCE + "enum Role {\n  ADMIN\n\nmodel {\n" });
  const broken = run(["snapshot", "--project", dir]);
  assert.equal(broken.code, 2);
  assert.equal(broken.stderr.split("\n").filter(Boolean).length, 1, broken.stderr);
  assert.match(broken.stderr, /schema\.prisma:\d+: .*\(and \d+ more errors?\)\n$/);
});

test("a datasource that is not PostgreSQL gives no enums, and says so", (t) => {
  const dir = project(t, { "prisma/schema.prisma": 'datasource db {\n  provider = "mysql"\n  url = env("X")\n}\nenum A {\n  x\n}\n' });
  const r = run(["snapshot", "--project", dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(enumsOf(r.stdout), {});
  assert.match(r.warnings[0], /datasource provider "mysql" is not PostgreSQL/);
});

test("the schema is found where package.json or prisma.config.ts puts it, as one schema over several files", (t) => {
  const dir = project(t, {
    "package.json": JSON.stringify({ prisma: { schema: "db/app.prisma" } }),
    "db/app.prisma": DATASOURCE + "enum Kind {\n  a\n  b\n}\n",
    "prisma/schema.prisma": DATASOURCE + "enum Ignored {\n  x\n}\n",
  });
  assert.deepEqual(enumsOf(run(["snapshot", "--project", dir]).stdout), { "public.Kind": ["a", "b"] });

  const folder = project(t, {
    "prisma.config.ts": 'import { defineConfig } from "prisma/config";\nexport default defineConfig({ schema: "models" });\n',
    "models/main.prisma": DATASOURCE,
    "models/enums/status.prisma": 'enum Status {\n  on  @map("ON")\n  off @map("OFF")\n  @@map("status")\n}\n',
  });
  const r = run(["snapshot", "--project", folder]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(enumsOf(r.stdout), { "public.status": ["ON", "OFF"] });
});

test("multiSchema: an enum's @@schema places it; named arguments and comments do not confuse the reading", (t) => {
  const dir = project(t, {
    "prisma/schema.prisma":
      'datasource db {\n  provider = "postgresql" // comment { }\n  schemas = ["a", "b"]\n}\n' +
      '/// doc comment: @@schema("wrong")\nenum E {\n  one // @@schema("wrong")\n  @@schema("b")\n  @@map(name: "e_type")\n}\n',
  });
  const r = run(["snapshot", "--project", dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(enumsOf(r.stdout), { "b.e_type": ["one"] });
});
