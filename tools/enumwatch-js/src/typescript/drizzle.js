// Drizzle: pgEnum("name", [...]) and pgSchema("s").enum("name", [...]) from drizzle-orm/pg-core.
// drizzle-kit creates a type for each such enum that a schema file exports, with the values in
// array order; the array may be `as const`, a constant imported from another file, a spread of
// one, or Object.values of a string enum (what pgEnum(name, Enum) does too).

import { DEFAULT_SCHEMA, quote } from "../model.js";

/** @typedef {import("typescript")} TS */
/** @typedef {import("typescript").Node} Node */
/** @typedef {import("../model.js").EnumType} EnumType */
/** @typedef {import("../model.js").Report} Report */
/** @typedef {import("./values.js").Resolver} Resolver */

/** @param {string} module */
const isPgCore = (module) => module === "drizzle-orm/pg-core" || module.startsWith("drizzle-orm/pg-core/");

/**
 * @param {import("typescript").SourceFile} sourceFile
 * @param {Resolver} resolver
 * @param {(node: Node) => string} where  "file:line"
 * @param {Report} report
 * @returns {EnumType[]}
 */
export function readDrizzle(sourceFile, resolver, where, report) {
  const ts = resolver.ts;
  /** @type {EnumType[]} */
  const enums = [];
  /** @param {Node} node */
  const visit = (node) => {
    if (ts.isCallExpression(node)) {
      const found = enumCall(ts, node, resolver);
      if (found) {
        const e = readEnum(ts, node, found.schema, resolver, where, report);
        if (e) enums.push(e);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return enums;
}

/**
 * pgEnum(...) gives {schema: public}; s.enum(...) with s a pgSchema("x") gives {schema: "x"}.
 * @param {TS} ts @param {import("typescript").CallExpression} call @param {Resolver} resolver
 * @returns {{schema: string | null} | undefined}  null: a pgSchema whose name cannot be read
 */
function enumCall(ts, call, resolver) {
  const callee = resolver.skipOuter(call.expression);
  const origin = resolver.importOrigin(callee);
  if (origin && isPgCore(origin.module) && origin.name === "pgEnum") return { schema: DEFAULT_SCHEMA };
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== "enum") return undefined;
  const schemaCall = pgSchemaCall(ts, callee.expression, resolver, 0);
  if (!schemaCall) return undefined;
  const name = schemaCall.arguments[0] ? resolver.scalar(schemaCall.arguments[0]) : undefined;
  return { schema: typeof name === "string" ? name : null };
}

/**
 * The pgSchema("x") call an expression is, directly or through a constant.
 * @param {TS} ts @param {import("typescript").Expression} e @param {Resolver} resolver @param {number} depth
 * @returns {import("typescript").CallExpression | undefined}
 */
function pgSchemaCall(ts, e, resolver, depth) {
  e = resolver.skipOuter(e);
  if (depth > 16) return undefined;
  if (ts.isCallExpression(e)) {
    const origin = resolver.importOrigin(e.expression);
    return origin && isPgCore(origin.module) && origin.name === "pgSchema" ? e : undefined;
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const declaration = resolver.declarationOf(ts.isPropertyAccessExpression(e) ? e.name : e);
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
      return pgSchemaCall(ts, declaration.initializer, resolver, depth + 1);
    }
  }
  return undefined;
}

/**
 * @param {TS} ts @param {import("typescript").CallExpression} call @param {string | null} schema
 * @param {Resolver} resolver @param {(node: Node) => string} where @param {Report} report
 * @returns {EnumType | undefined}
 */
function readEnum(ts, call, schema, resolver, where, report) {
  const at = where(call);
  const [nameArg, valuesArg] = call.arguments;
  const name = nameArg ? resolver.scalar(nameArg) : undefined;
  if (typeof name !== "string") {
    report.warn(at, `cannot read the name of ${call.expression.getText()}(...): skipped`);
    return undefined;
  }
  if (schema === null) {
    report.warn(at, `enum ${quote(name)}: cannot read the name of its pgSchema(...): skipped`);
    return undefined;
  }
  if (!valuesArg) {
    report.warn(at, `enum ${quote(name)} has no values argument: skipped`);
    return undefined;
  }
  const resolved = resolver.resolve(valuesArg);
  let values;
  if (resolved.kind === "list") values = resolved.values;
  else if (resolved.kind === "object") values = Object.values(resolved.object); // pgEnum(name, Enum)
  else {
    report.warn(at, `enum ${quote(name)}: ${resolved.why}: skipped`);
    return undefined;
  }
  const numbers = values.filter((v) => typeof v === "number");
  if (numbers.length > 0) {
    report.warn(
      at,
      `enum ${quote(name)}: the numbers ${numbers.join(", ")} become the labels ${numbers.map((n) => quote(String(n))).join(", ")} ` +
        "(Object.values of a numeric TypeScript enum holds its member names and its numbers)",
    );
  }
  if (!isExported(ts, call, resolver)) {
    report.warn(at, `enum ${quote(name)} is not exported: drizzle-kit creates only the enums a schema file exports`);
  }
  return { schema, name, values: values.map(String), origin: at, codeName: `pgEnum ${quote(name)}` };
}

/**
 * Whether the enum is the initializer of a variable its file exports (`export const`, or
 * `export { x }` further down).
 * @param {TS} ts @param {import("typescript").CallExpression} call @param {Resolver} resolver
 */
function isExported(ts, call, resolver) {
  /** @type {Node} */
  let node = call;
  while (node.parent && (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isSatisfiesExpression(node.parent))) {
    node = node.parent;
  }
  const declaration = node.parent;
  if (!declaration || !ts.isVariableDeclaration(declaration) || declaration.initializer !== node) return false;
  const symbol = resolver.checker.getSymbolAtLocation(declaration.name);
  const moduleSymbol = resolver.checker.getSymbolAtLocation(declaration.getSourceFile());
  if (!symbol || !moduleSymbol) return false;
  return resolver.checker.getExportsOfModule(moduleSymbol).some((exported) => {
    const target = exported.flags & ts.SymbolFlags.Alias ? resolver.checker.getAliasedSymbol(exported) : exported;
    return target === symbol || exported === symbol;
  });
}
