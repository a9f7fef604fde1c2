// A tokenizer for PostgreSQL's SQL, enough to read enum DDL and CHECK expressions exactly:
// comments (nested /* */ too), quoted identifiers, '' and E'' strings with their escapes, strings
// continued across lines, dollar quoting. Unquoted identifiers fold to lower case as PostgreSQL
// folds them (ASCII only). Nothing here is a regular expression: each character is looked at once.

/**
 * @typedef {object} Token
 * @property {"ident" | "qident" | "string" | "number" | "param" | "op"} kind
 * @property {string} value   identifiers folded (unquoted) or unescaped (quoted); strings unescaped
 * @property {number} line    1-based
 * @property {number} col     1-based
 */

/** @param {string} c */
const isSpace = (c) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";
/** @param {string} c */
const isDigit = (c) => c >= "0" && c <= "9";
/** @param {string} c */
const isIdentStart = (c) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_" || c.charCodeAt(0) >= 0x80;
/** @param {string} c */
const isIdentPart = (c) => isIdentStart(c) || isDigit(c) || c === "$";

/** @param {string} text */
function foldAscii(text) {
  let out = "";
  for (const c of text) out += c >= "A" && c <= "Z" ? String.fromCharCode(c.charCodeAt(0) + 32) : c;
  return out;
}

export class SqlSyntaxError extends Error {
  /** @param {string} message @param {number} line @param {number} col */
  constructor(message, line, col) {
    super(message);
    this.line = line;
    this.col = col;
  }
}

/**
 * @param {string} text
 * @returns {Token[]}
 */
export function tokenize(text) {
  /** @type {Token[]} */
  const tokens = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (/** @type {number} */ k) => text[k] ?? "";
  const advanceTo = (/** @type {number} */ end) => {
    for (; i < end; i++) {
      if (text[i] === "\n") {
        line++;
        lineStart = i + 1;
      }
    }
  };
  /** @param {Token["kind"]} kind @param {string} value @param {number} startLine @param {number} startCol */
  const push = (kind, value, startLine, startCol) => tokens.push({ kind, value, line: startLine, col: startCol });

  /**
   * A quoted string from text[i] (the opening quote); i ends after the closing quote, and after
   * any continuation ('a'\n'b' is 'ab').
   * @param {boolean} escapes  E'' strings: backslash escapes
   */
  const readString = (escapes) => {
    const startLine = line;
    const startCol = i - lineStart + 1;
    let value = "";
    for (;;) {
      let k = i + 1;
      for (;;) {
        if (k >= text.length) throw new SqlSyntaxError("unterminated string", startLine, startCol);
        const c = text[k];
        if (c === "'" && at(k + 1) === "'") {
          value += "'";
          k += 2;
        } else if (c === "'") {
          k++;
          break;
        } else if (escapes && c === "\\") {
          const [decoded, next] = unescape(text, k);
          value += decoded;
          k = next;
        } else {
          value += c;
          k++;
        }
      }
      advanceTo(k);
      // Two string constants separated by whitespace holding a newline are one constant.
      let j = i;
      let newline = false;
      for (; j < text.length && isSpace(text[j]); j++) {
        if (text[j] === "\n") newline = true;
      }
      if (!newline || text[j] !== "'") break;
      advanceTo(j);
    }
    return { value, startLine, startCol };
  };

  while (i < text.length) {
    const c = text[i];
    const startLine = line;
    const startCol = i - lineStart + 1;
    if (isSpace(c)) {
      advanceTo(i + 1);
    } else if (c === "-" && at(i + 1) === "-") {
      let k = i;
      while (k < text.length && text[k] !== "\n") k++;
      advanceTo(k);
    } else if (c === "/" && at(i + 1) === "*") {
      let depth = 0;
      let k = i;
      do {
        if (k >= text.length) throw new SqlSyntaxError("unterminated /* comment", startLine, startCol);
        if (text[k] === "/" && at(k + 1) === "*") {
          depth++;
          k += 2;
        } else if (text[k] === "*" && at(k + 1) === "/") {
          depth--;
          k += 2;
        } else k++;
      } while (depth > 0);
      advanceTo(k);
    } else if (c === "'") {
      const s = readString(false);
      push("string", s.value, s.startLine, s.startCol);
    } else if ((c === "E" || c === "e") && at(i + 1) === "'") {
      advanceTo(i + 1);
      const s = readString(true);
      push("string", s.value, startLine, startCol);
    } else if ((c === "N" || c === "n") && at(i + 1) === "'") {
      advanceTo(i + 1);
      const s = readString(false);
      push("string", s.value, startLine, startCol);
    } else if (c === '"') {
      let k = i + 1;
      let value = "";
      for (;;) {
        if (k >= text.length) throw new SqlSyntaxError("unterminated quoted identifier", startLine, startCol);
        if (text[k] === '"' && at(k + 1) === '"') {
          value += '"';
          k += 2;
        } else if (text[k] === '"') {
          k++;
          break;
        } else value += text[k++];
      }
      if (value === "") throw new SqlSyntaxError("zero-length quoted identifier", startLine, startCol);
      advanceTo(k);
      push("qident", value, startLine, startCol);
    } else if (c === "$" && isDigit(at(i + 1))) {
      let k = i + 1;
      while (isDigit(at(k))) k++;
      push("param", text.slice(i, k), startLine, startCol);
      advanceTo(k);
    } else if (c === "$") {
      // $tag$ ... $tag$: the tag is empty or an identifier without "$".
      let k = i + 1;
      while (k < text.length && text[k] !== "$" && isIdentPart(text[k])) k++;
      if (text[k] !== "$") throw new SqlSyntaxError("stray $", startLine, startCol);
      const tag = text.slice(i, k + 1);
      const end = text.indexOf(tag, k + 1);
      if (end < 0) throw new SqlSyntaxError(`unterminated dollar-quoted string ${tag}`, startLine, startCol);
      push("string", text.slice(k + 1, end), startLine, startCol);
      advanceTo(end + tag.length);
    } else if (isIdentStart(c)) {
      let k = i + 1;
      while (k < text.length && isIdentPart(text[k])) k++;
      push("ident", foldAscii(text.slice(i, k)), startLine, startCol);
      advanceTo(k);
    } else if (isDigit(c) || (c === "." && isDigit(at(i + 1)))) {
      let k = i;
      while (isDigit(at(k)) || at(k) === "." || at(k) === "_") k++;
      if ((at(k) === "e" || at(k) === "E") && (isDigit(at(k + 1)) || ((at(k + 1) === "+" || at(k + 1) === "-") && isDigit(at(k + 2))))) {
        k += 2;
        while (isDigit(at(k))) k++;
      }
      push("number", text.slice(i, k), startLine, startCol);
      advanceTo(k);
    } else if (c === ":" && at(i + 1) === ":") {
      push("op", "::", startLine, startCol);
      advanceTo(i + 2);
    } else {
      push("op", c, startLine, startCol);
      advanceTo(i + 1);
    }
  }
  return tokens;
}

/**
 * One backslash escape of an E'' string at text[k] (the backslash): [decoded, index after it].
 * @param {string} text @param {number} k
 * @returns {[string, number]}
 */
function unescape(text, k) {
  const c = text[k + 1] ?? "";
  const simple = /** @type {Record<string, string>} */ ({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" });
  if (c in simple) return [simple[c], k + 2];
  const hexRun = (/** @type {number} */ from, /** @type {number} */ max) => {
    let end = from;
    while (end < from + max && "0123456789abcdefABCDEF".includes(text[end] ?? "_")) end++;
    return end;
  };
  if (c === "x") {
    const end = hexRun(k + 2, 2);
    if (end > k + 2) return [String.fromCodePoint(parseInt(text.slice(k + 2, end), 16)), end];
  }
  if (c === "u" || c === "U") {
    const width = c === "u" ? 4 : 8;
    const end = hexRun(k + 2, width);
    if (end === k + 2 + width) return [String.fromCodePoint(parseInt(text.slice(k + 2, end), 16)), end];
  }
  if (c >= "0" && c <= "7") {
    let end = k + 1;
    while (end < k + 4 && (text[end] ?? "") >= "0" && (text[end] ?? "") <= "7") end++;
    return [String.fromCodePoint(parseInt(text.slice(k + 1, end), 8)), end];
  }
  return [c, k + 2];
}

/**
 * The statements of a script: token runs between semicolons (empty ones dropped).
 * @param {Token[]} tokens
 * @returns {Token[][]}
 */
export function statements(tokens) {
  /** @type {Token[][]} */
  const out = [];
  let current = [];
  for (const t of tokens) {
    if (t.kind === "op" && t.value === ";") {
      if (current.length > 0) out.push(current);
      current = [];
    } else current.push(t);
  }
  if (current.length > 0) out.push(current);
  return out;
}
