// What the tests share: running the command line in this process (as enumwatch-py's tests call
// its main), writing throwaway projects, and the paths of this package and of the repository.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseToml } from "smol-toml";
import { main } from "../src/cli.js";

export const PACKAGE = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPOSITORY = dirname(dirname(PACKAGE));
export const FIXTURES = join(PACKAGE, "test", "fixtures");

/**
 * Runs `enumwatch-js ...args` in this process.
 * @param {string[]} args
 * @param {{cwd?: string}} [options]  default: this package's directory
 */
export function run(args, { cwd = PACKAGE } = {}) {
  let stdout = "";
  let stderr = "";
  const code = main(args, {
    stdout: { write: (/** @type {string} */ t) => (stdout += t) },
    stderr: { write: (/** @type {string} */ t) => (stderr += t) },
    cwd,
  });
  const lines = stderr.split("\n").filter((l) => l !== "");
  return {
    code,
    stdout,
    stderr,
    warnings: lines.filter((l) => l.startsWith("enumwatch-js: warning: ")).map((l) => l.slice("enumwatch-js: warning: ".length)),
    drift: lines.filter((l) => l.startsWith("enumwatch-js: drift: ")).map((l) => l.slice("enumwatch-js: drift: ".length)),
  };
}

/**
 * The snapshot a run printed, as {"schema.name": values} (TOML parsed by a TOML parser).
 * @param {string} text
 */
export function enumsOf(text) {
  const doc = /** @type {{enum?: {schema: string, name: string, values: string[]}[]}} */ (parseToml(text));
  return Object.fromEntries((doc.enum ?? []).map((e) => [`${e.schema}.${e.name}`, e.values]));
}

/**
 * A throwaway project: {"relative/path": "text"}; removed when the test ends.
 * @param {import("node:test").TestContext} t
 * @param {Record<string, string>} files
 */
export function project(t, files) {
  const dir = mkdtempSync(join(tmpdir(), "enumwatch-js-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  write(dir, files);
  return dir;
}

/** @param {string} dir @param {Record<string, string>} files */
export function write(dir, files) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}
