// A tokenizer for the Prisma schema language, used only for what Prisma's own parser (the
// prisma-schema-wasm DMMF) leaves out: the @@schema of an enum, the datasource's provider, and
// whether the datasource still has a `url` (Prisma 6 requires one, Prisma 7 rejects it). The schema
// has passed Prisma's validation before this reads it, so it only needs to find its way through
// valid input: comments, strings with escapes, blocks, attributes.

/**
 * @typedef {object} Token
 * @property {"ident" | "string" | "punct" | "newline"} kind
 * @property {string} value
 * @property {number} line
 */

/**
 * @typedef {object} Block
 * @property {string} keyword  enum, model, datasource, generator, view, type
 * @property {string} name
 * @property {number} line
 * @property {Token[]} body    the tokens between the braces
 */

const PUNCT = "{}()[],=:.?!";

/** @param {string} c */
const isSpace = (c) => c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\uFEFF";

/**
 * @param {string} text
 * @returns {Token[]}
 */
export function tokenize(text) {
  /** @type {Token[]} */
  const tokens = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "\n") {
      tokens.push({ kind: "newline", value: "\n", line });
      line++;
      i++;
    } else if (isSpace(c)) {
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === '"') {
      let value = "";
      let k = i + 1;
      while (k < text.length && text[k] !== '"' && text[k] !== "\n") {
        if (text[k] === "\\" && k + 1 < text.length) {
          const e = text[k + 1];
          if (e === "u" && k + 5 < text.length) {
            value += String.fromCharCode(parseInt(text.slice(k + 2, k + 6), 16));
            k += 6;
            continue;
          }
          value += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e;
          k += 2;
        } else value += text[k++];
      }
      tokens.push({ kind: "string", value, line });
      i = k + 1;
    } else if (c === "@") {
      const double = text[i + 1] === "@";
      tokens.push({ kind: "punct", value: double ? "@@" : "@", line });
      i += double ? 2 : 1;
    } else if (PUNCT.includes(c)) {
      tokens.push({ kind: "punct", value: c, line });
      i++;
    } else {
      let k = i;
      while (k < text.length && !isSpace(text[k]) && text[k] !== "\n" && !PUNCT.includes(text[k]) && text[k] !== '"' && text[k] !== "@") {
        if (text[k] === "/" && text[k + 1] === "/") break;
        k++;
      }
      tokens.push({ kind: "ident", value: text.slice(i, k), line });
      i = k;
    }
  }
  return tokens;
}

/**
 * The top-level blocks: `keyword Name { ... }`.
 * @param {string} text
 * @returns {Block[]}
 */
export function blocks(text) {
  const tokens = tokenize(text);
  /** @type {Block[]} */
  const out = [];
  let i = 0;
  while (i < tokens.length) {
    const [keyword, name, open] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (keyword.kind === "ident" && name?.kind === "ident" && open?.kind === "punct" && open.value === "{") {
      let depth = 1;
      let k = i + 3;
      while (k < tokens.length && depth > 0) {
        if (tokens[k].kind === "punct" && tokens[k].value === "{") depth++;
        else if (tokens[k].kind === "punct" && tokens[k].value === "}") depth--;
        k++;
      }
      out.push({ keyword: keyword.value, name: name.value, line: keyword.line, body: tokens.slice(i + 3, k - 1) });
      i = k;
    } else i++;
  }
  return out;
}

// The first string argument of a block attribute, or undefined: "b" for attribute "schema" and
// the line @@schema("b"), "t" for "map" and @@map(name: "t").
/**
 * @param {Block} block
 * @param {string} attribute  its name: "schema", "map"
 */
export function blockAttribute(block, attribute) {
  const b = block.body;
  for (let k = 0; k + 2 < b.length; k++) {
    if (b[k].value !== "@@" || b[k].kind !== "punct" || b[k + 1].value !== attribute || b[k + 2].value !== "(") continue;
    let j = k + 3;
    if (b[j]?.kind === "ident" && b[j + 1]?.value === ":") j += 2;
    if (b[j]?.kind === "string") return b[j].value;
  }
  return undefined;
}

/**
 * The keys of a datasource or generator block (`key = value` lines), with the value's first
 * token.
 * @param {Block} block
 * @returns {Map<string, Token | undefined>}
 */
export function blockKeys(block) {
  const keys = new Map();
  const b = block.body;
  for (let k = 0; k < b.length; k++) {
    const atLineStart = k === 0 || b[k - 1].kind === "newline";
    if (atLineStart && b[k].kind === "ident" && b[k + 1]?.kind === "punct" && b[k + 1].value === "=") {
      keys.set(b[k].value, b[k + 2]);
    }
  }
  return keys;
}
