// TypeORM: enum columns as TypeORM creates their types (names, schemas, labels), @Check
// membership tests as [[check]]s, and the traps: numeric enums, enums on columns that are not
// enums, union types that allow more than the column, names left to the naming strategy.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse as parseToml } from "smol-toml";
import { snakeCase } from "../src/typescript/typeorm.js";
import { FIXTURES, enumsOf, project, run } from "./helpers.js";

const IMPORT = 'import { Check, Column, Entity, PrimaryColumn } from "typeorm";\n';

test("the TypeORM fixture: string and numeric enums, unions, inherited columns, simple-enum, @Check", () => {
  const r = run(["snapshot", "--project", "test/fixtures/typeorm"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(FIXTURES, "typeorm", "expected.toml"), "utf8"));
  const at = "test/fixtures/typeorm/src/entity/Order.ts";
  assert.deepEqual(r.warnings, [
    `${at}:15: Order.priority: numeric TypeScript enum Priority on a PostgreSQL enum column: TypeORM creates the labels "1", "2", "3" (the numbers as text), not the member names; use a string enum`,
    `${at}:23: Order.risk: no enumName: TypeORM names the type "orders_risk_enum" after the table and column (renaming either, or a custom NamingStrategy, renames the type); set enumName`,
    `${at}:23: Order.risk: its type allows "critical", which the enum column does not have: writing it fails`,
    `${at}:27: Order.legacyStatus: TypeScript enum OrderStatus on a column that is not type: "enum" (TypeORM makes it "varchar"): the database accepts any value and no enum type is created; use type: "enum" and enumName`,
  ]);
});

test("a numeric enum without explicit values gives the labels '0', '1', ... in member order", (t) => {
  const dir = project(t, {
    "src/e.ts":
      IMPORT +
      "export enum Step { Draft, Review = 5, Done }\n" +
      '@Entity("docs")\nexport class Doc {\n  @Column({ type: "enum", enum: Step, enumName: "step" })\n  step!: Step;\n}\n',
  });
  const r = run(["snapshot"], { cwd: dir });
  assert.deepEqual(enumsOf(r.stdout), { "public.step": ["0", "5", "6"] });
  assert.match(r.warnings[0], /^src\/e\.ts:5: Doc\.step: numeric TypeScript enum Step .* the labels "0", "5", "6"/);
});

test("an enum on a column without type: enum is named, with what TypeORM stores instead", (t) => {
  const dir = project(t, {
    "src/e.ts":
      IMPORT +
      'enum Colour { Red = "red" }\nenum Size { S, M }\n' +
      "@Entity()\nexport class Shirt {\n" +
      "  @PrimaryColumn() id!: number;\n" +
      "  @Column() colour!: Colour;\n" +
      "  @Column({ nullable: true }) size!: Size | null;\n" +
      '  @Column({ type: "text", enum: ["a", "b"] }) code!: string;\n' +
      "}\n",
  });
  const r = run(["snapshot"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(enumsOf(r.stdout), {});
  assert.equal(r.warnings.length, 3, r.stderr);
  assert.match(r.warnings[0], /Shirt\.colour: TypeScript enum Colour on a column that is not type: "enum" \(TypeORM makes it "character varying"\)/);
  assert.match(r.warnings[1], /Shirt\.size: TypeScript enum Size .* \(TypeORM makes it "integer"\)/);
  assert.match(r.warnings[2], /Shirt\.code: enum: \["a", "b"\] on a column that is not type: "enum" \(TypeORM makes it "text"\)/);
});

test("without enumName the type is <table>_<column, lower-cased>_enum, the table from @Entity or the class name", (t) => {
  const dir = project(t, {
    "src/e.ts":
      IMPORT +
      'const common = { type: "enum" as const };\n' +
      "@Entity()\nexport class HTTPRequestLog {\n" +
      '  @Column({ ...common, enum: ["get", "post"], name: "Method" }) method!: string;\n}\n' +
      '@Entity("Audit", { schema: "ops" })\nexport class Audit {\n' +
      '  @Column("simple-enum", { enum: { A: "a", B: "b" } }) kindOf!: string;\n}\n',
  });
  const r = run(["snapshot"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(enumsOf(r.stdout), {
    "ops.Audit_kindof_enum": ["a", "b"],
    "public.http_request_log_method_enum": ["get", "post"],
  });
  assert.equal(r.warnings.length, 2);
});

test("TypeORM's snakeCase, as its DefaultNamingStrategy names tables", () => {
  assert.equal(snakeCase("HTTPRequestLog"), "http_request_log");
  assert.equal(snakeCase("OrderItem"), "order_item");
  assert.equal(snakeCase("User2FA"), "user2_fa");
  assert.equal(snakeCase("ABCDef"), "abc_def");
  assert.equal(snakeCase("already_snake"), "already_snake");
});

test("@Check membership tests are [[check]]s of the entity's table; other checks are not enums", (t) => {
  const dir = project(t, {
    "src/e.ts":
      IMPORT +
      '@Entity({ name: "payments" })\n' +
      "@Check(`channel = ANY (ARRAY['web'::text, 'store'::text])`)\n" +
      '@Check("CHK_kind", `"Kind" IN (\'x\', \'it\'\'s\')`)\n' +
      '@Check(`"amount" > 0 AND "channel" IN (\'web\')`)\n' +
      "export class Payment {\n  @PrimaryColumn() id!: number;\n}\n",
  });
  const r = run(["snapshot", "--format", "json"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).check, [
    { schema: "public", table: "payments", column: "Kind", values: ["it's", "x"] },
    { schema: "public", table: "payments", column: "channel", values: ["store", "web"] },
  ]);
  const toml = run(["snapshot"], { cwd: dir }).stdout;
  assert.deepEqual(/** @type {any} */ (parseToml(toml)).check[0].values, ["it's", "x"]);
});

test("a column the tool cannot name, or whose values it cannot read, is warned about and skipped", (t) => {
  const dir = project(t, {
    "src/e.ts":
      IMPORT +
      "declare const dynamicValues: string[];\n" +
      "export class Embedded {\n" +
      '  @Column({ type: "enum", enum: ["a"] }) orphan!: string;\n' +
      '  @Column({ type: "enum", enum: ["a"], enumName: "named" }) named!: string;\n}\n' +
      '@Entity()\nexport class Thing {\n  @Column({ type: "enum", enum: dynamicValues, enumName: "dyn" }) d!: string;\n' +
      '  @Column({ type: "enum", enumName: "novalues" }) n!: string;\n}\n',
  });
  const r = run(["snapshot"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(enumsOf(r.stdout), { "public.named": ["a"] });
  const text = r.warnings.join("\n");
  assert.match(text, /Thing\.d: cannot read the value of dynamicValues: skipped/);
  assert.match(text, /Thing\.n: type: "enum" without enum: values: TypeORM cannot create the type: skipped/);
  assert.match(text, /Embedded\.orphan: no enumName, and no @Entity of this project extends Embedded/);
});

test("one enumName with two sets of values is an error naming both places", (t) => {
  const dir = project(t, {
    "src/e.ts":
      IMPORT +
      '@Entity()\nexport class A {\n  @Column({ type: "enum", enum: ["x", "y"], enumName: "shared" }) s!: string;\n}\n' +
      '@Entity()\nexport class B {\n  @Column({ type: "enum", enum: ["x"], enumName: "shared" }) s!: string;\n}\n',
  });
  const r = run(["snapshot"], { cwd: dir });
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    'enumwatch-js: src/e.ts:8: B.s: type public.shared has the values ["x"] here, ["x", "y"] at src/e.ts:4\n',
  );
});
