// End to end: enumwatch-js writes each fixture's snapshot, and the real C++ binary (`enumwatch
// diff --snapshot S --against S2`) reads it and finds no drift against the expected snapshot; a
// seeded post-mortem mistake (an @map removed) is its case_mismatch. The Prisma fixtures go
// through the real enumwatch-js process; the TypeScript ones through main() in this process, the
// same code without loading the compiler once more per run (cli.test.js runs the process).
// ENUMWATCH_BIN names the binary (CTest passes it); by default build/daemon/enumwatch.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { FIXTURES, PACKAGE, REPOSITORY, project, run } from "./helpers.js";

const ENUMWATCH = process.env.ENUMWATCH_BIN || join(REPOSITORY, "build", "daemon", "enumwatch");
// Skipped only when nobody named a binary and none is built; a named one that is missing fails.
const SKIP = !process.env.ENUMWATCH_BIN && !existsSync(ENUMWATCH) && `no ${ENUMWATCH}: build it, or set ENUMWATCH_BIN`;
const LAUNCHER = join(PACKAGE, "enumwatch-js");

/** @param {string} file @param {string[]} args @returns {Promise<{status: number, stdout: string, stderr: string}>} */
async function exec(file, args) {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, { cwd: PACKAGE, encoding: "utf8" });
    return { status: 0, stdout, stderr };
  } catch (e) {
    const err = /** @type {{code: number, stdout: string, stderr: string}} */ (/** @type {unknown} */ (e));
    if (typeof err.code !== "number") throw e;
    return { status: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** @param {string[]} args */
function inProcess(args) {
  const r = run(args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

test("enumwatch diff reads what enumwatch-js writes: no drift on every fixture, the seeded mistake caught", { skip: SKIP }, async (t) => {
  const out = project(t, {});
  for (const fixture of ["prisma-multischema", "drizzle", "typeorm", "hostile"]) {
    const format = fixture === "hostile" ? "json" : "toml";
    const written = join(out, `${fixture}.${format}`);
    const args = ["snapshot", "--project", join(FIXTURES, fixture), "--output", written];
    const snapshot = fixture.startsWith("prisma") ? await exec(LAUNCHER, args) : inProcess(args);
    assert.equal(snapshot.status, 0, snapshot.stderr);
    const diff = await exec(ENUMWATCH, ["diff", "--snapshot", written, "--against", join(FIXTURES, fixture, "expected.toml"), "--format", "json"]);
    assert.equal(diff.status, 0, `${fixture}: ${diff.stdout}${diff.stderr}`);
    assert.deepEqual(JSON.parse(diff.stdout).drift, []);
  }

  // The post-mortem: one @map forgotten in the code; the database (expected.toml) has snake_case.
  const seeded = project(t, {});
  cpSync(join(FIXTURES, "prisma-multischema"), seeded, { recursive: true });
  const schema = join(seeded, "prisma", "schema.prisma");
  writeFileSync(schema, readFileSync(schema, "utf8").replace('PendingPayment @map("pending_payment")', "PendingPayment"));
  const written = join(out, "seeded.toml");
  const snapshot = await exec(LAUNCHER, ["snapshot", "--project", seeded, "--output", written]);
  assert.equal(snapshot.status, 0, snapshot.stderr);
  assert.match(snapshot.stderr, /the schema's label "PendingPayment" is spelled "pending_payment" in the migrations/);
  const diff = await exec(ENUMWATCH, ["diff", "--snapshot", written, "--against", join(FIXTURES, "prisma-multischema", "expected.toml"), "--format", "json"]);
  assert.equal(diff.status, 1, diff.stderr);
  const drift = JSON.parse(diff.stdout).drift;
  // Two snapshots: the diff also calls it a conflict between them (snapshot_conflict).
  assert.deepEqual(new Set(drift.map((/** @type {any} */ d) => `${d.schema}.${d.enum}`)), new Set(["public.order_status"]));
  const caseMismatch = drift.filter((/** @type {any} */ d) => d.kind === "case_mismatch");
  assert.deepEqual(caseMismatch.map((/** @type {any} */ d) => [d.expected, d.actual]), [["PendingPayment", "pending_payment"]]);
});
