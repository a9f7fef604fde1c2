// Replays the enum DDL of migration scripts in order, giving the enum types they leave behind:
// CREATE TYPE ... AS ENUM, ALTER TYPE ... ADD VALUE [BEFORE|AFTER] / RENAME VALUE / RENAME TO /
// SET SCHEMA, DROP TYPE. That covers what Prisma Migrate writes, including its way of removing a
// value (create T_new, move the columns, rename T to T_old and T_new to T, drop T_old). Other
// statements are skipped.

import { DEFAULT_SCHEMA } from "../model.js";
import { statements, tokenize } from "./lexer.js";

/** @typedef {import("./lexer.js").Token} Token */
/** @typedef {{schema: string, name: string, values: string[], origin: string}} ReplayedEnum */

/** Keys of the replay's map: [schema, name] as JSON. @param {string} schema @param {string} name */
export const typeKey = (schema, name) => JSON.stringify([schema, name]);

class Cursor {
  /** @param {Token[]} tokens */
  constructor(tokens) {
    this.tokens = tokens;
    this.i = 0;
  }

  get done() {
    return this.i >= this.tokens.length;
  }

  /** @param {...string} words  unquoted keywords, lower case */
  accept(...words) {
    const save = this.i;
    for (const w of words) {
      const t = this.tokens[this.i];
      if (!t || t.kind !== "ident" || t.value !== w) {
        this.i = save;
        return false;
      }
      this.i++;
    }
    return true;
  }

  /** @param {string} op */
  acceptOp(op) {
    const t = this.tokens[this.i];
    if (t && t.kind === "op" && t.value === op) {
      this.i++;
      return true;
    }
    return false;
  }

  name() {
    const t = this.tokens[this.i];
    if (!t || (t.kind !== "ident" && t.kind !== "qident")) return undefined;
    this.i++;
    return t.value;
  }

  /** schema.name or name: [schema or undefined, name]. */
  qualifiedName() {
    const first = this.name();
    if (first === undefined) return undefined;
    if (!this.acceptOp(".")) return { schema: undefined, name: first };
    const second = this.name();
    return second === undefined ? undefined : { schema: first, name: second };
  }

  string() {
    const t = this.tokens[this.i];
    if (!t || t.kind !== "string") return undefined;
    this.i++;
    return t.value;
  }
}

/**
 * Applies one script to `types` (changed in place).
 * @param {string} sql
 * @param {string} file      as messages name it
 * @param {Map<string, ReplayedEnum>} types
 * @param {(where: string, message: string) => void} warn
 * @param {string} [defaultSchema]  where unqualified names live (PostgreSQL's search_path: public)
 */
export function replayScript(sql, file, types, warn, defaultSchema = DEFAULT_SCHEMA) {
  for (const statement of statements(tokenize(sql))) {
    const where = `${file}:${statement[0].line}`;
    const c = new Cursor(statement);
    if (c.accept("create", "type")) {
      const q = c.qualifiedName();
      if (!q || !c.accept("as", "enum")) continue; // a composite or range type
      const values = [];
      let ok = c.acceptOp("(");
      if (ok && !c.acceptOp(")")) {
        for (;;) {
          const v = c.string();
          if (v === undefined) {
            ok = false;
            break;
          }
          values.push(v);
          if (c.acceptOp(")")) break;
          if (!c.acceptOp(",")) {
            ok = false;
            break;
          }
        }
      }
      if (!ok || !c.done) {
        warn(where, "cannot read this CREATE TYPE ... AS ENUM: skipped");
        continue;
      }
      const schema = q.schema ?? defaultSchema;
      types.set(typeKey(schema, q.name), { schema, name: q.name, values, origin: where });
    } else if (c.accept("alter", "type")) {
      const q = c.qualifiedName();
      if (!q) continue;
      const key = typeKey(q.schema ?? defaultSchema, q.name);
      const type = types.get(key);
      if (c.accept("add", "value")) {
        const ifNotExists = c.accept("if", "not", "exists");
        const value = c.string();
        /** @type {"end" | "before" | "after"} */
        let position = "end";
        let anchor;
        if (c.accept("before")) position = "before";
        else if (c.accept("after")) position = "after";
        if (position !== "end") anchor = c.string();
        if (value === undefined || (position !== "end" && anchor === undefined) || !c.done) {
          warn(where, "cannot read this ALTER TYPE ... ADD VALUE: skipped");
          continue;
        }
        if (!type) continue; // a type these scripts did not create
        if (type.values.includes(value)) {
          if (!ifNotExists) warn(where, `ALTER TYPE adds ${JSON.stringify(value)}, which the type already has`);
          continue;
        }
        if (anchor === undefined) {
          type.values.push(value);
          continue;
        }
        const at = type.values.indexOf(anchor);
        if (at < 0) {
          warn(where, `ALTER TYPE ... ${position.toUpperCase()} ${JSON.stringify(anchor)}: the type has no such value`);
          continue;
        }
        type.values.splice(position === "before" ? at : at + 1, 0, value);
      } else if (c.accept("rename", "value")) {
        const from = c.string();
        const to = c.accept("to") ? c.string() : undefined;
        if (from === undefined || to === undefined || !c.done) {
          warn(where, "cannot read this ALTER TYPE ... RENAME VALUE: skipped");
          continue;
        }
        if (type && type.values.includes(from)) type.values[type.values.indexOf(from)] = to;
      } else if (c.accept("rename", "to")) {
        const to = c.name();
        if (to === undefined || !c.done || !type) continue;
        types.delete(key);
        type.name = to;
        types.set(typeKey(type.schema, to), type);
      } else if (c.accept("set", "schema")) {
        const to = c.name();
        if (to === undefined || !c.done || !type) continue;
        types.delete(key);
        type.schema = to;
        types.set(typeKey(to, type.name), type);
      }
    } else if (c.accept("drop", "type")) {
      c.accept("if", "exists");
      for (;;) {
        const q = c.qualifiedName();
        if (!q) break;
        types.delete(typeKey(q.schema ?? defaultSchema, q.name));
        if (!c.acceptOp(",")) break;
      }
    }
  }
}
