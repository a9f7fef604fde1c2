// The snapshot's vocabulary: enum types, CHECK-constraint enums, where each was found, and the
// report of what went wrong on the way (errors end the run; warnings go to stderr and never
// change the exit code).

export const DEFAULT_SCHEMA = "public";
export const MAX_NAME_BYTES = 63; // PostgreSQL's NAMEDATALEN - 1

/** Input that cannot be read, or that makes no valid snapshot: exit 2, one line. */
export class InputError extends Error {}

/**
 * @typedef {object} EnumType
 * @property {string} schema
 * @property {string} name
 * @property {string[]} values   in order: the order of the type's labels
 * @property {string} origin     "file:line", for messages
 * @property {string} [codeName] how the code names it ("enum OrderStatus"), for messages
 */

/**
 * An enum kept as a CHECK constraint on a text column (the snapshot's [[check]]): a set.
 * @typedef {object} CheckEnum
 * @property {string} schema
 * @property {string} table
 * @property {string} column
 * @property {string[]} values
 * @property {string} origin
 */

export class Report {
  constructor() {
    /** @type {string[]} */
    this.warnings = [];
  }

  /** @param {string} where "file:line" @param {string} message */
  warn(where, message) {
    this.warnings.push(where ? `${where}: ${message}` : message);
  }
}

/**
 * A value as messages show it: double-quoted with JSON's escapes, so that a label holding a
 * quote, a newline or a control character stays on one line and reads unambiguously.
 * @param {string | number} value
 */
export function quote(value) {
  return JSON.stringify(String(value));
}

/**
 * schema.name as messages show it: bare when both parts are plain, each part quoted otherwise
 * (a name may hold dots, quotes or newlines; a message stays one line).
 * @param {...string} parts
 */
export function qualified(...parts) {
  const plain = parts.every((p) => p.length > 0 && [...p].every((c) => isPlainNameChar(c)));
  return plain ? parts.join(".") : parts.map((p) => quote(p)).join(".");
}

/** @param {string} c */
function isPlainNameChar(c) {
  const cp = /** @type {number} */ (c.codePointAt(0));
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return false;
  return !'."\\:; '.includes(c) && cp !== 0x2028 && cp !== 0x2029;
}

/**
 * Code-point order (what UTF-8 byte order gives, and Python's and C++'s sorts), not JavaScript's
 * UTF-16 order: the two differ for characters beyond the Basic Multilingual Plane.
 * @param {string} a @param {string} b
 */
export function compareCodePoints(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = /** @type {number} */ (x[i].codePointAt(0)) - /** @type {number} */ (y[i].codePointAt(0));
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** @param {string[]} a @param {string[]} b */
export function compareKeys(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = compareCodePoints(a[i], b[i]);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
