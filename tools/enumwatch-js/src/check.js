// --check: the code against a committed database snapshot, without a database (pre-commit).
// The kinds and their reading are enumwatch's (docs/drift-kinds.md): the shared cases in
// tests/fixtures/diff_cases.json hold this, enumwatch-py and the C++ diff to the same answers.

import { compareKeys, qualified, quote } from "./model.js";

/** @typedef {import("./model.js").EnumType} EnumType */
/** @typedef {import("./model.js").CheckEnum} CheckEnum */
/** @typedef {{enums: Map<string, {schema: string, name: string, values: string[]}>, checks: Map<string, {schema: string, table: string, column: string, values: string[]}>}} DatabaseSide */
/** @typedef {{name: string, kind: string, message: string}} DriftItem */

/**
 * Simple one-to-one case folding for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
 * capitals: exactly what common/src/diff/diff.cpp does, so that both find the same
 * case_mismatch. Other scripts, and multi-letter foldings ("STRASSE" and "straße"), compare
 * exactly.
 * @param {number} cp
 */
export function foldCase(cp) {
  if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0xc0 && cp <= 0xde && cp !== 0xd7)) return cp + 32;
  if ((cp >= 0x100 && cp <= 0x137 && cp !== 0x130 && cp % 2 === 0) || (cp >= 0x14a && cp <= 0x177 && cp % 2 === 0)) {
    return cp + 1;
  }
  if (((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e)) && cp % 2 === 1) return cp + 1;
  if (cp === 0x178) return 0xff;
  if ((cp >= 0x391 && cp <= 0x3a9 && cp !== 0x3a2) || (cp >= 0x410 && cp <= 0x42f)) return cp + 32;
  if (cp >= 0x400 && cp <= 0x40f) return cp + 80;
  return cp;
}

/**
 * "PendingPayment", "pending-payment" and "pending payment" all fold to "pendingpayment".
 * @param {string} value
 */
export function folded(value) {
  let out = "";
  for (const ch of value) {
    if (ch === "_" || ch === "-" || ch === " ") continue;
    out += String.fromCodePoint(foldCase(/** @type {number} */ (ch.codePointAt(0))));
  }
  return out;
}

/**
 * (missing, unexpected, pairs): a missing value pairs with the first unexpected one of the same
 * folded spelling, and the pair leaves both lists.
 * @param {string[]} want @param {string[]} have
 */
export function valueDifferences(want, have) {
  const missing = want.filter((v) => !have.includes(v));
  const unexpected = have.filter((v) => !want.includes(v));
  /** @type {[string, string][]} */
  const pairs = [];
  for (const v of [...missing]) {
    const twin = unexpected.find((u) => folded(u) === folded(v));
    if (twin !== undefined) {
      pairs.push([v, twin]);
      missing.splice(missing.indexOf(v), 1);
      unexpected.splice(unexpected.indexOf(twin), 1);
    }
  }
  return { missing, unexpected, pairs };
}

/**
 * @param {string} name
 * @param {ReturnType<typeof valueDifferences>} differences
 * @returns {DriftItem[]}
 */
function valueDrift(name, { missing, unexpected, pairs }) {
  return [
    ...pairs.map(([v, twin]) => ({
      name,
      kind: "case_mismatch",
      message: `the code writes ${quote(v)}, the database has ${quote(twin)}`,
    })),
    ...missing.map((v) => ({ name, kind: "missing_value", message: `${quote(v)} is in the code, not in the database` })),
    ...unexpected.map((v) => ({
      name,
      kind: "unexpected_value",
      message: `${quote(v)} is in the database, not in the code`,
    })),
  ];
}

/** @param {string[]} parts */
const keyOf = (...parts) => JSON.stringify(parts);

/**
 * Every difference between the code's enums and checks and the database's snapshot, in the C++
 * diff's reading: a missing value pairs with the first unexpected one of the same folded spelling
 * (case_mismatch), and order_mismatch compares the order of the values both sides have once the
 * pairs are renamed, whatever else differs. Checks are sets: never order_mismatch.
 * @param {EnumType[]} enums @param {CheckEnum[]} checks @param {DatabaseSide} database
 * @returns {DriftItem[]}
 */
export function compare(enums, checks, database) {
  /** @type {DriftItem[]} */
  const drift = [];
  const code = [...enums].sort((a, b) => compareKeys([a.schema, a.name], [b.schema, b.name]));
  for (const e of code) {
    const name = qualified(e.schema, e.name);
    const have = database.enums.get(keyOf(e.schema, e.name))?.values;
    if (have === undefined) {
      drift.push({ name, kind: "missing_type", message: "the code uses it, the database has no such type" });
      continue;
    }
    const want = e.values;
    if (want.length === have.length && want.every((v, i) => v === have[i])) continue;
    const differences = valueDifferences(want, have);
    const renamed = have.map((v) => differences.pairs.find(([, twin]) => twin === v)?.[0] ?? v);
    const codeOrder = want.filter((v) => renamed.includes(v));
    const databaseOrder = renamed.filter((v) => want.includes(v));
    drift.push(...valueDrift(name, differences));
    if (codeOrder.length !== databaseOrder.length || codeOrder.some((v, i) => v !== databaseOrder[i])) {
      drift.push({
        name,
        kind: "order_mismatch",
        message: `the code has [${want.map(quote).join(", ")}], the database [${have.map(quote).join(", ")}]`,
      });
    }
  }
  const codeKeys = new Set(code.map((e) => keyOf(e.schema, e.name)));
  const onlyDatabase = [...database.enums.values()]
    .filter((e) => !codeKeys.has(keyOf(e.schema, e.name)))
    .sort((a, b) => compareKeys([a.schema, a.name], [b.schema, b.name]));
  for (const e of onlyDatabase) {
    drift.push({ name: qualified(e.schema, e.name), kind: "unexpected_type", message: "in the database, not in the code" });
  }

  const codeChecks = [...checks].sort((a, b) => compareKeys([a.schema, a.table, a.column], [b.schema, b.table, b.column]));
  for (const c of codeChecks) {
    const name = qualified(c.schema, c.table, c.column);
    const have = database.checks.get(keyOf(c.schema, c.table, c.column))?.values;
    if (have === undefined) {
      drift.push({ name, kind: "missing_type", message: "the code uses it, the database has no such CHECK" });
      continue;
    }
    drift.push(...valueDrift(name, valueDifferences(c.values, have)));
  }
  const checkKeys = new Set(codeChecks.map((c) => keyOf(c.schema, c.table, c.column)));
  const onlyDatabaseChecks = [...database.checks.values()]
    .filter((c) => !checkKeys.has(keyOf(c.schema, c.table, c.column)))
    .sort((a, b) => compareKeys([a.schema, a.table, a.column], [b.schema, b.table, b.column]));
  for (const c of onlyDatabaseChecks) {
    drift.push({
      name: qualified(c.schema, c.table, c.column),
      kind: "unexpected_type",
      message: "in the database, not in the code",
    });
  }
  return drift;
}

/**
 * One line per differing enum (or check), naming it, its items joined by "; ", in the order
 * compare() found them.
 * @param {DriftItem[]} drift
 */
export function driftLines(drift) {
  /** @type {Map<string, DriftItem[]>} */
  const byName = new Map();
  for (const item of drift) {
    const items = byName.get(item.name) ?? [];
    items.push(item);
    byName.set(item.name, items);
  }
  return [...byName].map(([name, items]) => `${name}: ${items.map((i) => `${i.kind}: ${i.message}`).join("; ")}`);
}
