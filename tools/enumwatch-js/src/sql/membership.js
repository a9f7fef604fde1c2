// Reads a CHECK expression that spells a membership test, the shape of an enum kept as a CHECK
// constraint: col IN ('a', 'b') or col = ANY (ARRAY['a', 'b']), with PostgreSQL's ::casts and
// parentheses anywhere they may appear. Anything else is not an enum: null.

import { SqlSyntaxError, tokenize } from "./lexer.js";

/** @typedef {import("./lexer.js").Token} Token */

/**
 * @param {string} expression
 * @returns {{column: string, values: string[]} | null}
 */
export function parseMembership(expression) {
  let tokens;
  try {
    tokens = tokenize(expression);
  } catch (e) {
    if (e instanceof SqlSyntaxError) return null;
    throw e;
  }
  tokens = stripParentheses(tokens);
  let i = 0;
  const is = (/** @type {string} */ kind, /** @type {string} */ value) =>
    tokens[i] !== undefined && tokens[i].kind === kind && tokens[i].value === value;
  const skipCast = () => {
    while (is("op", "::")) {
      i++;
      if (tokens[i]?.kind !== "ident" && tokens[i]?.kind !== "qident") return false;
      while (tokens[i]?.kind === "ident" || tokens[i]?.kind === "qident") i++;
      if (is("op", "(") && tokens[i + 1]?.kind === "number" && tokens[i + 2]?.value === ")") i += 3;
      if (is("op", "[") && tokens[i + 1]?.value === "]") i += 2;
    }
    return true;
  };
  /** Strings separated by commas up to `close`, each with optional casts and parentheses. */
  const list = (/** @type {string} */ close) => {
    const values = [];
    for (;;) {
      let depth = 0;
      while (is("op", "(")) {
        depth++;
        i++;
      }
      const t = tokens[i];
      if (!t || t.kind !== "string") return null;
      i++;
      if (!skipCast()) return null;
      for (; depth > 0; depth--) {
        if (!is("op", ")")) return null;
        i++;
        if (!skipCast()) return null;
      }
      values.push(t.value);
      if (is("op", close)) {
        i++;
        return values;
      }
      if (!is("op", ",")) return null;
      i++;
    }
  };

  // The column, possibly parenthesised and cast: ((status)::text).
  let depth = 0;
  while (is("op", "(")) {
    depth++;
    i++;
  }
  const column = tokens[i];
  if (!column || (column.kind !== "ident" && column.kind !== "qident")) return null;
  i++;
  if (!skipCast()) return null;
  for (; depth > 0; depth--) {
    if (!is("op", ")")) return null;
    i++;
    if (!skipCast()) return null;
  }

  let values;
  if (is("ident", "in") && tokens[i + 1]?.kind === "op" && tokens[i + 1].value === "(") {
    i += 2;
    values = list(")");
  } else if (is("op", "=") && tokens[i + 1]?.kind === "ident" && tokens[i + 1].value === "any" && tokens[i + 2]?.value === "(") {
    i += 3;
    let inner = 0;
    while (is("op", "(")) {
      inner++;
      i++;
    }
    if (!is("ident", "array") || tokens[i + 1]?.value !== "[") return null;
    i += 2;
    values = list("]");
    if (!values || !skipCast()) return null;
    for (; inner > 0; inner--) {
      if (!is("op", ")")) return null;
      i++;
      if (!skipCast()) return null;
    }
    if (!is("op", ")")) return null;
    i++;
  } else return null;
  if (!values || i !== tokens.length) return null;
  return { column: column.value, values };
}

/**
 * Drops parentheses that enclose the whole expression.
 * @param {Token[]} tokens
 */
function stripParentheses(tokens) {
  for (;;) {
    const first = tokens[0];
    const last = tokens[tokens.length - 1];
    if (tokens.length < 2 || first.kind !== "op" || first.value !== "(" || last.kind !== "op" || last.value !== ")") {
      return tokens;
    }
    let depth = 0;
    for (let k = 0; k < tokens.length; k++) {
      if (tokens[k].kind === "op" && tokens[k].value === "(") depth++;
      else if (tokens[k].kind === "op" && tokens[k].value === ")") depth--;
      if (depth === 0 && k < tokens.length - 1) return tokens; // (a) IN (b): not one group
    }
    tokens = tokens.slice(1, -1);
  }
}
