// The command line as a user and a pre-commit hook meet it: the launcher (through a link, as a
// package installs it), the exit codes of a real process, and one line on every error.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PACKAGE, project, run } from "./helpers.js";

const LAUNCHER = join(PACKAGE, "enumwatch-js");

/** @param {string[]} args @param {string} cwd @param {string} [launcher] */
function spawn(args, cwd, launcher = LAUNCHER) {
  return spawnSync(launcher, args, { cwd, encoding: "utf8", env: { PATH: process.env.PATH } });
}

test("the launcher runs through a link, as the package's bin, with the exit codes of SPEC §14", (t) => {
  // A Prisma project: the processes need not load the TypeScript compiler (the other tests do).
  const dir = project(t, {
    "schema.prisma": 'datasource db {\n  provider = "postgresql"\n}\nenum s {\n  a\n  b\n}\n',
    "differ.toml": '[[enum]]\nname = "s"\nvalues = ["a"]\n',
  });
  mkdirSync(join(dir, "bin"));
  const link = join(dir, "bin", "enumwatch-js");
  symlinkSync(LAUNCHER, link);
  const manifest = JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8"));
  assert.equal(manifest.bin["enumwatch-js"], "enumwatch-js");
  assert.ok(statSync(LAUNCHER).mode & 0o111, "the launcher is executable");

  const written = spawn(["snapshot"], dir, link);
  assert.equal(written.status, 0, written.stderr);
  assert.match(written.stdout, /^\[\[enum\]\]\nschema = "public"\nname = "s"\nvalues = \["a", "b"\]$/m);
  const differ = spawn(["snapshot", "--project", ".", "--check", "differ.toml"], dir, link);
  assert.equal(differ.status, 1);
  assert.equal(differ.stdout, "");
  assert.match(differ.stderr, /^enumwatch-js: drift: public\.s: missing_value: "b" is in the code, not in the database$/m);
  const error = spawn(["snapshot", "--project", "nowhere"], dir, link);
  assert.equal(error.status, 2);
  assert.equal(error.stderr, "enumwatch-js: nowhere: no such directory (--project)\n");
  assert.equal(spawn(["--version"], dir, link).stdout, `enumwatch-js ${manifest.version}\n`);
});

test("TypeScript that does not parse exits 2 with one line: file, line, column, the compiler's message", (t) => {
  const dir = project(t, {
    "src/ok.ts": "export const fine = 1;\n",
    "src/broken.ts": 'import { pgEnum } from "drizzle-orm/pg-core";\nexport const e = pgEnum("e", ["a", "b";\n',
  });
  const r = run(["snapshot"], { cwd: dir });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "enumwatch-js: src/broken.ts:2:39: cannot parse: ',' expected.\n");
});

test("usage errors exit 2 with one line that points at --help; --help itself exits 0", () => {
  const cases = [
    [[], "enumwatch-js: a command is needed: snapshot (enumwatch-js --help)\n"],
    [["snap"], 'enumwatch-js: unknown command "snap": the command is snapshot (enumwatch-js --help)\n'],
    [["snapshot", "--format", "yaml"], 'enumwatch-js: --format "yaml": write toml or json\n'],
    [["snapshot", "--frobnicate"], null],
    [["snapshot", "--project"], null],
  ];
  for (const [args, expected] of cases) {
    const r = run(/** @type {string[]} */ (args));
    assert.equal(r.code, 2, String(args));
    assert.equal(r.stderr.split("\n").length, 2, r.stderr);
    if (expected) assert.equal(r.stderr, expected);
    else assert.match(r.stderr, /^enumwatch-js: .*\(enumwatch-js --help\)\n$/);
  }
  const help = run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: enumwatch-js snapshot \[--project DIR\] \[--output FILE\] \[--format toml\|json\]$/m);
  assert.match(help.stdout, /--check SNAPSHOT/);
});

test("a project with nothing to read gives an empty snapshot, not an error", (t) => {
  const dir = project(t, { "README.md": "nothing here\n" });
  const r = run(["snapshot", "--format", "json"], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { snapshot: { source: "enumwatch-js snapshot --project ." }, enum: [] });
});
