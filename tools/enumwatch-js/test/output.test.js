// The snapshot file: TOML and JSON exactly as docs/snapshot-format.md describes them, strings
// quoted so that any label survives (quotes, backslashes, newlines, control characters,
// non-ASCII), deterministic order, validation with one-line errors.

import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse as parseToml } from "smol-toml";
import { render, tomlString } from "../src/snapshot_output.js";
import { FIXTURES, enumsOf, project, run } from "./helpers.js";

const IMPORT = 'import { pgEnum } from "drizzle-orm/pg-core";\n';

test("TOML strings escape quotes, backslashes and control characters, and keep non-ASCII as it is", () => {
  assert.equal(tomlString('say "hi"'), '"say \\"hi\\""');
  assert.equal(tomlString("back\\slash"), '"back\\\\slash"');
  assert.equal(tomlString("new\nline\ttab\rcr"), '"new\\nline\\ttab\\rcr"');
  assert.equal(tomlString("bell\u0007del\u007f"), '"bell\\u0007del\\u007F"');
  assert.equal(tomlString("naïve 日本 😀"), '"naïve 日本 😀"');
});

test("every character from U+0000 to U+00FF, and astral ones, survive TOML and JSON round trips", () => {
  const values = [];
  for (let cp = 1; cp < 0x100; cp++) values.push(`v${String.fromCodePoint(cp)}`);
  values.push("😀", "\u2028 line separator", "'single' and \"double\"", "\\u0041 is not A");
  const enums = [{ schema: "s", name: "all", values, origin: "x" }];
  const toml = /** @type {any} */ (parseToml(render(enums, [], {}, "toml")));
  assert.deepEqual(toml.enum[0].values, values);
  assert.deepEqual(JSON.parse(render(enums, [], {}, "json")).enum[0].values, values);
});

test("the hostile fixture: names and labels with quotes, newlines, dots and non-ASCII, from Prisma and Drizzle", () => {
  const r = run(["snapshot", "--project", "test/fixtures/hostile"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(FIXTURES, "hostile", "expected.toml"), "utf8"));
  assert.deepEqual(enumsOf(r.stdout), {
    'Schéma "Ω".mood "odd"': ['say "hi"', "back\\slash", "new\nline", "naïve café 日本", "😀 grin"],
    "odd schema.with dots.Ключ": ["template", "ascii"],
    'public.we"ird\nname': ["it's", "back\\slash", "tab\there", "ÉLAN", "😀", "del\u007f"],
  });
});

test("enums sort by schema and name in code-point order; values keep the code's order; checks are sorted sets", () => {
  const enums = [
    { schema: "b", name: "z", values: ["2", "1"], origin: "" },
    { schema: "b", name: "😀", values: ["x"], origin: "" },
    { schema: "b", name: "\uFFFD", values: ["x"], origin: "" },
    { schema: "a", name: "z", values: ["x"], origin: "" },
  ];
  const checks = [{ schema: "s", table: "t", column: "c", values: ["b", "a"], origin: "" }];
  const doc = JSON.parse(render(enums, checks, { source: "here" }, "json"));
  assert.deepEqual(doc.snapshot, { source: "here" });
  assert.deepEqual(doc.enum.map((/** @type {any} */ e) => `${e.schema}.${e.name}`), ["a.z", "b.z", "b.\uFFFD", "b.😀"]);
  assert.deepEqual(doc.enum[1].values, ["2", "1"]);
  assert.deepEqual(doc.check, [{ schema: "s", table: "t", column: "c", values: ["a", "b"] }]);
  assert.equal(render(enums, checks, {}, "toml"), render([...enums].reverse(), checks, {}, "toml"));
});

test("--output writes atomically, .json picks JSON, and a line says what was written", (t) => {
  const dir = project(t, { "src/s.ts": IMPORT + 'export const e = pgEnum("e", ["a", "b"]);\n' });
  const r = run(["snapshot", "--output", "out/enums.json"], { cwd: dir });
  assert.equal(r.code, 2, "the directory does not exist");
  assert.equal(r.stderr, "enumwatch-js: out/enums.json: cannot write the snapshot: no such directory\n");

  const ok = run(["snapshot", "--output", "enums.json"], { cwd: dir });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, "");
  assert.equal(ok.stderr, "enumwatch-js: wrote 1 enum types and 0 CHECK-constraint enums to enums.json\n");
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "enums.json"), "utf8")).enum, [{ schema: "public", name: "e", values: ["a", "b"] }]);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);

  assert.equal(run(["snapshot", "--output", "enums.toml", "--format", "json"], { cwd: dir }).code, 0);
  assert.equal(JSON.parse(readFileSync(join(dir, "enums.toml"), "utf8")).enum.length, 1);
  assert.ok(!existsSync(join(dir, "-")));
  assert.match(run(["snapshot", "--output", "-"], { cwd: dir }).stdout, /^\[\[enum\]\]$/m);
});

test("a snapshot that would break the format's rules is an error in one line, naming the place", (t) => {
  const cases = [
    ['pgEnum("e", ["' + "é".repeat(32) + '"])', 'value "' + "é".repeat(32) + '" is 64 bytes long; PostgreSQL allows at most 63'],
    ['pgEnum("e", ["a", "a"])', 'enum public.e: duplicate value "a"'],
    ['pgEnum("e", [])', "enum public.e has no values"],
    ['pgEnum("", ["a"])', 'enum name "" must be a non-empty string'],
    ['pgEnum("e", ["nul\\u0000"])', 'value "nul\\u0000" contains a NUL character'],
    ['pgEnum("e", ["\\uD800"])', "is not valid UTF-8"],
  ];
  for (const [code, message] of cases) {
    const dir = project(t, { "s.ts": IMPORT + `export const e = ${code};\n` });
    const r = run(["snapshot"], { cwd: dir });
    assert.equal(r.code, 2, code);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.split("\n").length, 2, r.stderr);
    assert.ok(r.stderr.startsWith("enumwatch-js: s.ts:2: "), r.stderr);
    assert.ok(r.stderr.includes(message), `${r.stderr} lacks ${message}`);
  }
});

test("the same code gives the same bytes, run after run", () => {
  const a = run(["snapshot", "--project", "test/fixtures/typeorm"]).stdout;
  const b = run(["snapshot", "--project", "test/fixtures/typeorm"]).stdout;
  assert.equal(a, b);
});
