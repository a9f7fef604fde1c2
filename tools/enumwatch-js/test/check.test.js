// --check: the code against a committed snapshot of the database, without a database, as the
// pre-commit hook runs it. Exit 0 when they agree, 1 with one line per differing enum, 2 when the
// snapshot cannot be read.

import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPOSITORY, project, run, write } from "./helpers.js";

const IMPORT = 'import { pgEnum, pgSchema } from "drizzle-orm/pg-core";\n';
const CODE = {
  "src/schema.ts":
    IMPORT +
    'export const status = pgEnum("order_status", ["pending_payment", "paid", "refunded"]);\n' +
    'export const currency = pgSchema("billing").enum("currency", ["eur", "usd"]);\n',
};

test("a snapshot the code agrees with passes silently, and prints no snapshot", (t) => {
  const dir = project(t, {
    ...CODE,
    "db/enums.toml":
      '[[enum]]\nname = "order_status"\nvalues = ["pending_payment", "paid", "refunded"]\n\n' +
      "[[enum]]\nschema = 'billing'\nname = \"currency\"\nvalues = [\n  \"eur\",\n  \"usd\", # trailing comma next\n]\n",
  });
  const r = run(["snapshot", "--project", ".", "--check", "db/enums.toml"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "");
});

test("every differing enum gets one line naming it, with each of its differences", (t) => {
  const dir = project(t, {
    ...CODE,
    "db/enums.toml":
      '[[enum]]\nname = "order_status"\nvalues = ["PendingPayment", "paid", "disputed"]\n' +
      '[[enum]]\nschema = "billing"\nname = "legacy"\nvalues = ["x"]\n',
  });
  const r = run(["snapshot", "--check", "db/enums.toml"], { cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.deepEqual(r.drift, [
    'billing.currency: missing_type: the code uses it, the database has no such type',
    'public.order_status: case_mismatch: the code writes "pending_payment", the database has "PendingPayment"; ' +
      'missing_value: "refunded" is in the code, not in the database; unexpected_value: "disputed" is in the database, not in the code',
    "billing.legacy: unexpected_type: in the database, not in the code",
  ]);
  assert.match(r.stderr, /enumwatch-js: the code's enums differ from db\/enums\.toml: change the code, or migrate and re-capture the snapshot \(enumwatch snapshot\)\n$/);
});

test("order matters for enums; a JSON snapshot is read by its extension", (t) => {
  const dir = project(t, {
    ...CODE,
    "db/enums.json": JSON.stringify({
      enum: [
        { name: "order_status", values: ["paid", "pending_payment", "refunded"] },
        { schema: "billing", name: "currency", values: ["eur", "usd"] },
      ],
    }),
  });
  const r = run(["snapshot", "--check", "db/enums.json"], { cwd: dir });
  assert.equal(r.code, 1);
  assert.deepEqual(r.drift, [
    'public.order_status: order_mismatch: the code has ["pending_payment", "paid", "refunded"], the database ["paid", "pending_payment", "refunded"]',
  ]);
});

test("hostile names stay on one line, quoted", (t) => {
  const dir = project(t, {
    "s.ts": IMPORT + 'export const e = pgEnum("new\\nline", ["a"]);\n',
    "db.json": JSON.stringify({ enum: [{ name: "new\nline", values: ["a", "b\nc"] }] }),
  });
  const r = run(["snapshot", "--check", "db.json"], { cwd: dir });
  assert.equal(r.code, 1);
  assert.deepEqual(r.drift, ['"public"."new\\nline": unexpected_value: "b\\nc" is in the database, not in the code']);
});

test("checks compare as sets: no order_mismatch, case pairs and extra values named", (t) => {
  const dir = project(t, {
    "src/e.ts":
      'import { Check, Entity } from "typeorm";\n@Entity("t")\n@Check(`"c" IN (\'a\', \'B\')`)\nexport class T {}\n',
    "db.json": JSON.stringify({ check: [{ table: "t", column: "c", values: ["b", "a", "z"] }] }),
  });
  const r = run(["snapshot", "--check", "db.json"], { cwd: dir });
  assert.equal(r.code, 1);
  assert.deepEqual(r.drift, [
    'public.t.c: case_mismatch: the code writes "B", the database has "b"; unexpected_value: "z" is in the database, not in the code',
  ]);
});

test("a snapshot that cannot be read exits 2 with one line naming the file (and the line)", (t) => {
  const dir = project(t, { ...CODE, "broken.toml": "[[enum]\n", "wrong.toml": '[[enum]]\nname = 5\nvalues = ["a"]\n' });
  const cases = [
    ["broken.toml", "enumwatch-js: broken.toml:1:8: not a valid snapshot: Invalid TOML document: expected end of table array declaration\n"],
    ["wrong.toml", "enumwatch-js: wrong.toml: every [[enum]] needs a name (a string) and values (strings)\n"],
    ["absent.toml", "enumwatch-js: absent.toml: cannot read the snapshot: no such file\n"],
  ];
  for (const [file, expected] of cases) {
    const r = run(["snapshot", "--check", file], { cwd: dir });
    assert.equal(r.code, 2, file);
    assert.equal(r.stderr, expected);
  }
});

test("the committed fixtures check clean against their expected snapshots", () => {
  for (const fixture of ["prisma-multischema", "drizzle", "typeorm", "hostile"]) {
    const r = run(["snapshot", "--project", `test/fixtures/${fixture}`, "--check", `test/fixtures/${fixture}/expected.toml`]);
    assert.equal(r.code, 0, `${fixture}: ${r.stderr}`);
    assert.deepEqual(r.drift, []);
  }
});

test("tests/fixtures/diff_cases.json: --check answers every shared case as the C++ diff and enumwatch-py do", (t) => {
  const cases = JSON.parse(readFileSync(join(REPOSITORY, "tests", "fixtures", "diff_cases.json"), "utf8")).cases;
  assert.ok(cases.length >= 15);
  const dir = project(t, {});
  for (const c of cases) {
    rmSync(join(dir, "code"), { recursive: true, force: true });
    /** @type {Record<string, string>} */
    const files = { "db.json": JSON.stringify({ enum: c.database }) };
    if (c.code?.js) {
      // A trap of Prisma, Drizzle or TypeORM: the case's code as written, read as `snapshot` says.
      for (const [path, text] of Object.entries(c.code.js.files)) files[`code/${path}`] = /** @type {string} */ (text);
    } else {
      // The snapshot side as Drizzle code (another language's trap included).
      const lines = [IMPORT];
      c.snapshot.forEach((/** @type {any} */ e, /** @type {number} */ i) => {
        lines.push(`export const e${i} = pgSchema(${JSON.stringify(e.schema)}).enum(${JSON.stringify(e.name)}, ${JSON.stringify(e.values)});\n`);
      });
      files["code/schema.ts"] = lines.join("");
    }
    write(dir, files);
    const r = run(["snapshot", "--project", "code", "--check", "db.json"], { cwd: dir });
    const got = r.drift.flatMap((line) => {
      const name = line.slice(0, line.indexOf(": "));
      return line
        .slice(name.length + 2)
        .split("; ")
        .map((item) => item.slice(0, item.indexOf(": ")))
        .filter((kind) => /^[a-z_]+$/.test(kind))
        .map((kind) => `${name} ${kind}`);
    });
    assert.deepEqual(got.sort(), [...c.expect].sort(), `${c.name}\n${r.stderr}`);
    assert.equal(r.code, c.expect.length > 0 ? 1 : 0, c.name);
  }
});
