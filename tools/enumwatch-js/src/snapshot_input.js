// Reading the committed database snapshot that --check compares the code with: TOML (any TOML
// 1.0, as enumwatch snapshot or a person writes it), or JSON when the name ends in .json.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import { DEFAULT_SCHEMA, InputError } from "./model.js";

/** @typedef {import("./check.js").DatabaseSide} DatabaseSide */

/** @param {unknown} x @returns {x is Record<string, unknown>} */
const isTable = (x) => typeof x === "object" && x !== null && !Array.isArray(x);

/** @param {unknown} x @returns {x is string[]} */
const isStringList = (x) => Array.isArray(x) && x.every((v) => typeof v === "string");

/**
 * @param {string} path    as the user wrote it: messages name it so
 * @param {string} [cwd]
 * @returns {DatabaseSide}
 */
export function loadSnapshot(path, cwd = process.cwd()) {
  let text;
  try {
    text = readFileSync(resolve(cwd, path), "utf8");
  } catch (e) {
    const err = /** @type {NodeJS.ErrnoException} */ (e);
    throw new InputError(`${path}: cannot read the snapshot: ${err.code === "ENOENT" ? "no such file" : err.message}`);
  }
  /** @type {unknown} */
  let doc;
  try {
    doc = path.endsWith(".json") ? JSON.parse(text) : parseToml(text);
  } catch (e) {
    const err = /** @type {Error & {line?: number, column?: number}} */ (e);
    const where = err.line ? `${path}:${err.line}:${err.column}` : path;
    throw new InputError(`${where}: not a valid snapshot: ${err.message.split("\n")[0]}`);
  }
  if (!isTable(doc)) throw new InputError(`${path}: not a valid snapshot: not a table`);
  /** @type {DatabaseSide} */
  const side = { enums: new Map(), checks: new Map() };
  const enums = doc.enum ?? [];
  const checks = doc.check ?? [];
  if (!Array.isArray(enums) || !Array.isArray(checks)) {
    throw new InputError(`${path}: not a valid snapshot: "enum" and "check" must be arrays of tables`);
  }
  for (const e of enums) {
    const schema = isTable(e) ? (e.schema ?? DEFAULT_SCHEMA) : undefined;
    if (!isTable(e) || typeof e.name !== "string" || typeof schema !== "string" || !isStringList(e.values)) {
      throw new InputError(`${path}: every [[enum]] needs a name (a string) and values (strings)`);
    }
    side.enums.set(JSON.stringify([schema, e.name]), { schema, name: e.name, values: e.values });
  }
  for (const c of checks) {
    const schema = isTable(c) ? (c.schema ?? DEFAULT_SCHEMA) : undefined;
    if (
      !isTable(c) ||
      typeof c.table !== "string" ||
      typeof c.column !== "string" ||
      typeof schema !== "string" ||
      !isStringList(c.values)
    ) {
      throw new InputError(`${path}: every [[check]] needs a table, a column and values (strings)`);
    }
    side.checks.set(JSON.stringify([schema, c.table, c.column]), {
      schema,
      table: c.table,
      column: c.column,
      values: c.values,
    });
  }
  return side;
}
