// TypeORM: entity columns of type "enum" (and "simple-enum", which PostgreSQL also stores as a
// native enum), with their values from a TypeScript enum, an array or an object; and @Check
// constraints that spell a membership test, which are the snapshot's [[check]]s. What TypeORM
// does is followed exactly: an enum's labels are Object.keys(E).filter(k => isNaN(+k)).map(k =>
// E[k]) as text (so a numeric enum's labels are "0", "1", ...), and a column without enumName
// gets the type "<table>_<column lower-cased>_enum" in the entity's schema.

import { DEFAULT_SCHEMA, quote } from "../model.js";
import { parseMembership } from "../sql/membership.js";

/** @typedef {import("typescript")} TS */
/** @typedef {import("typescript").Node} Node */
/** @typedef {import("typescript").ClassDeclaration} ClassDeclaration */
/** @typedef {import("../model.js").EnumType} EnumType */
/** @typedef {import("../model.js").CheckEnum} CheckEnum */
/** @typedef {import("../model.js").Report} Report */
/** @typedef {import("./values.js").Resolver} Resolver */
/** @typedef {{table: string, schema: string}} Entity */

/** @param {string} module */
const isTypeorm = (module) => module === "typeorm" || module.startsWith("typeorm/");

/**
 * @param {import("typescript").SourceFile[]} sourceFiles
 * @param {Resolver} resolver
 * @param {(node: Node) => string} where
 * @param {Report} report
 * @returns {{enums: EnumType[], checks: CheckEnum[]}}
 */
export function readTypeorm(sourceFiles, resolver, where, report) {
  const ts = resolver.ts;
  /** @type {ClassDeclaration[]} */
  const classes = [];
  const visit = (/** @type {Node} */ node) => {
    if (ts.isClassDeclaration(node)) classes.push(node);
    ts.forEachChild(node, visit);
  };
  sourceFiles.forEach(visit);

  /** @type {Map<ClassDeclaration, Entity>} */
  const entities = new Map();
  for (const cls of classes) {
    const entity = entityOf(ts, cls, resolver);
    if (entity) entities.set(cls, entity);
  }
  for (const cls of classes) {
    // @ChildEntity(): single-table inheritance, the parent entity's table.
    if (!entities.has(cls) && typeormDecorators(ts, cls, resolver).some((d) => d.name === "ChildEntity")) {
      const parent = baseClasses(ts, cls, resolver).find((b) => entities.has(b));
      if (parent) entities.set(cls, /** @type {Entity} */ (entities.get(parent)));
    }
  }

  /** @type {EnumType[]} */
  const enums = [];
  /** @type {CheckEnum[]} */
  const checks = [];
  /** @type {Set<ClassDeclaration>} */
  const reached = new Set();
  for (const [cls, entity] of entities) {
    // An entity has its own columns and those of the classes it extends.
    for (const owner of [cls, ...baseClasses(ts, cls, resolver)]) {
      reached.add(owner);
      readColumns(ts, owner, cls, entity, resolver, where, report, enums, checks);
    }
    for (const d of typeormDecorators(ts, cls, resolver)) {
      if (d.name === "Check") readCheck(ts, d.call, entity, resolver, where, checks);
    }
  }
  for (const cls of classes) {
    // Columns of a class no entity extends (an embedded class, a mixin): with enumName, the
    // type is known; without, its name depends on a table this cannot see.
    if (!reached.has(cls)) readColumns(ts, cls, cls, undefined, resolver, where, report, enums, checks);
  }
  return { enums, checks };
}

/**
 * The TypeORM decorators of a node: [{name: "Column", call}].
 * @param {TS} ts @param {Node} node @param {Resolver} resolver
 */
function typeormDecorators(ts, node, resolver) {
  const out = [];
  for (const decorator of (ts.canHaveDecorators(node) && ts.getDecorators(node)) || []) {
    const call = decorator.expression;
    if (!ts.isCallExpression(call)) continue;
    const origin = resolver.importOrigin(call.expression);
    if (origin && isTypeorm(origin.module)) out.push({ name: origin.name, call });
  }
  return out;
}

/**
 * @Entity("name", {schema}) / @Entity({name, schema}) / @Entity(): the table, named by
 * TypeORM's default naming strategy when the decorator does not name it.
 * @param {TS} ts @param {ClassDeclaration} cls @param {Resolver} resolver
 * @returns {Entity | undefined}
 */
function entityOf(ts, cls, resolver) {
  const decorator = typeormDecorators(ts, cls, resolver).find((d) => d.name === "Entity");
  if (!decorator) return undefined;
  const [first, second] = decorator.call.arguments;
  let table;
  let options;
  if (first) {
    const name = resolver.scalar(first);
    if (typeof name === "string") {
      table = name;
      options = second ? resolver.properties(second) : undefined;
    } else options = resolver.properties(first);
  }
  const nameOption = options?.get("name");
  const schemaOption = options?.get("schema");
  const named = nameOption ? resolver.scalar(nameOption) : undefined;
  const schema = schemaOption ? resolver.scalar(schemaOption) : undefined;
  return {
    table: table ?? (typeof named === "string" ? named : snakeCase(cls.name?.text ?? "")),
    schema: typeof schema === "string" ? schema : DEFAULT_SCHEMA,
  };
}

/**
 * The classes `cls` extends, nearest first, as far as they are in the project.
 * @param {TS} ts @param {ClassDeclaration} cls @param {Resolver} resolver
 * @returns {ClassDeclaration[]}
 */
function baseClasses(ts, cls, resolver) {
  /** @type {ClassDeclaration[]} */
  const out = [];
  let current = cls;
  for (let depth = 0; depth < 32; depth++) {
    const extendsClause = current.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
    const expression = extendsClause?.types[0]?.expression;
    const declaration = expression ? resolver.declarationOf(expression) : undefined;
    if (!declaration || !ts.isClassDeclaration(declaration) || out.includes(declaration)) break;
    out.push(declaration);
    current = declaration;
  }
  return out;
}

/**
 * @param {TS} ts @param {ClassDeclaration} owner  the class that declares the properties
 * @param {ClassDeclaration} cls  the entity (or owner itself)
 * @param {Entity | undefined} entity
 * @param {Resolver} resolver @param {(node: Node) => string} where @param {Report} report
 * @param {EnumType[]} enums @param {CheckEnum[]} checks
 */
function readColumns(ts, owner, cls, entity, resolver, where, report, enums, checks) {
  for (const member of owner.members) {
    if (!ts.isPropertyDeclaration(member)) continue;
    for (const d of typeormDecorators(ts, member, resolver)) {
      if (d.name === "Column" || d.name === "PrimaryColumn") {
        const e = readColumn(ts, member, d.call, cls, entity, resolver, where, report);
        if (e) enums.push(e);
      } else if (d.name === "Check" && entity) {
        readCheck(ts, d.call, entity, resolver, where, checks);
      }
    }
  }
}

/**
 * @param {TS} ts @param {import("typescript").PropertyDeclaration} member
 * @param {import("typescript").CallExpression} call  the @Column(...) call
 * @param {ClassDeclaration} cls @param {Entity | undefined} entity
 * @param {Resolver} resolver @param {(node: Node) => string} where @param {Report} report
 * @returns {EnumType | undefined}
 */
function readColumn(ts, member, call, cls, entity, resolver, where, report) {
  const at = where(member);
  const label = `${cls.name?.text ?? "(class)"}.${member.name.getText()}`;
  const [first, second] = call.arguments;
  if (first && (ts.isArrowFunction(first) || ts.isFunctionExpression(first))) return undefined; // embedded
  let type;
  let options;
  if (first) {
    const typeArgument = resolver.scalar(first);
    if (typeof typeArgument === "string") {
      type = typeArgument;
      options = second ? resolver.properties(second) : undefined;
    } else options = resolver.properties(first);
  }
  options ??= new Map();
  const typeOption = options.get("type");
  if (type === undefined && typeOption) {
    const t = resolver.scalar(typeOption);
    type = typeof t === "string" ? t : undefined;
  }
  const propertyEnum = enumOfTypeNode(ts, member.type, resolver);
  const enumOption = options.get("enum");

  if (type !== "enum" && type !== "simple-enum") {
    if (!enumOption && !propertyEnum) return undefined;
    const what = propertyEnum ? `TypeScript enum ${propertyEnum.name.text}` : `enum: ${enumOption?.getText()}`;
    const stored = type ?? (propertyEnum && isNumericEnum(ts, propertyEnum, resolver) ? "integer" : "character varying");
    report.warn(
      at,
      `${label}: ${what} on a column that is not type: "enum" (TypeORM makes it ${quote(stored)}): ` +
        'the database accepts any value and no enum type is created; use type: "enum" and enumName',
    );
    return undefined;
  }
  if (!enumOption) {
    report.warn(at, `${label}: type: ${quote(type)} without enum: values: TypeORM cannot create the type: skipped`);
    return undefined;
  }
  const resolved = resolver.resolve(enumOption);
  /** @type {(string | number)[]} */
  let values;
  if (resolved.kind === "object") {
    values = Object.keys(resolved.object).filter((k) => isNaN(Number(k))).map((k) => resolved.object[k]);
  } else if (resolved.kind === "list") values = resolved.values;
  else {
    report.warn(at, `${label}: ${resolved.why}: skipped`);
    return undefined;
  }
  const numbers = values.filter((v) => typeof v === "number");
  if (numbers.length > 0) {
    const source = resolved.kind === "object" && resolved.isEnum ? `numeric TypeScript enum ${resolved.name}` : "numeric values";
    report.warn(
      at,
      `${label}: ${source} on a PostgreSQL enum column: TypeORM creates the labels ${numbers.map((n) => quote(String(n))).join(", ")} ` +
        "(the numbers as text), not the member names; use a string enum",
    );
  }
  const labels = values.map(String);

  const enumNameOption = options.get("enumName");
  const enumName = enumNameOption ? resolver.scalar(enumNameOption) : undefined;
  let name;
  if (typeof enumName === "string") name = enumName;
  else if (!entity) {
    report.warn(at, `${label}: no enumName, and no @Entity of this project extends ${cls.name?.text ?? "the class"}: the type's name is unknown: skipped`);
    return undefined;
  } else {
    const nameOption = options.get("name");
    const columnName = nameOption ? resolver.scalar(nameOption) : undefined;
    const column = typeof columnName === "string" ? columnName : member.name.getText();
    name = `${entity.table}_${column.toLowerCase()}_enum`;
    report.warn(
      at,
      `${label}: no enumName: TypeORM names the type ${quote(name)} after the table and column ` +
        "(renaming either, or a custom NamingStrategy, renames the type); set enumName",
    );
  }

  const union = stringLiteralUnion(ts, member.type, resolver);
  if (union) {
    const notInEnum = union.filter((v) => !labels.includes(v));
    const notInType = labels.filter((v) => !union.includes(v));
    if (notInEnum.length > 0) {
      report.warn(at, `${label}: its type allows ${notInEnum.map(quote).join(", ")}, which the enum column does not have: writing it fails`);
    }
    if (notInType.length > 0) {
      report.warn(at, `${label}: the enum column has ${notInType.map(quote).join(", ")}, which its type does not allow`);
    }
  }
  return { schema: entity?.schema ?? DEFAULT_SCHEMA, name, values: labels, origin: at, codeName: label };
}

/**
 * @Check("expr") / @Check("name", "expr") spelling `col IN (...)` or `col = ANY (ARRAY[...])`.
 * Other checks are not enums and are passed over.
 * @param {TS} ts @param {import("typescript").CallExpression} call @param {Entity} entity
 * @param {Resolver} resolver @param {(node: Node) => string} where @param {CheckEnum[]} checks
 */
function readCheck(ts, call, entity, resolver, where, checks) {
  const args = call.arguments;
  const expression = args.length >= 2 ? args[1] : args[0];
  const text = expression ? resolver.scalar(expression) : undefined;
  if (typeof text !== "string") return;
  const membership = parseMembership(text);
  if (!membership) return;
  checks.push({ schema: entity.schema, table: entity.table, column: membership.column, values: membership.values, origin: where(call) });
}

/**
 * The enum a property's declared type names (`status: Status`, `Status | null`, `Status[]`).
 * @param {TS} ts @param {import("typescript").TypeNode | undefined} node @param {Resolver} resolver
 * @returns {import("typescript").EnumDeclaration | undefined}
 */
function enumOfTypeNode(ts, node, resolver) {
  if (!node) return undefined;
  if (ts.isArrayTypeNode(node)) return enumOfTypeNode(ts, node.elementType, resolver);
  if (ts.isParenthesizedTypeNode(node)) return enumOfTypeNode(ts, node.type, resolver);
  if (ts.isUnionTypeNode(node)) {
    for (const t of node.types) {
      const e = enumOfTypeNode(ts, t, resolver);
      if (e) return e;
    }
    return undefined;
  }
  if (!ts.isTypeReferenceNode(node)) return undefined;
  const declaration = resolver.declarationOf(ts.isQualifiedName(node.typeName) ? node.typeName.right : node.typeName);
  return declaration && ts.isEnumDeclaration(declaration) ? declaration : undefined;
}

/** @param {TS} ts @param {import("typescript").EnumDeclaration} e @param {Resolver} resolver */
function isNumericEnum(ts, e, resolver) {
  return e.members.some((m) => typeof resolver.checker.getConstantValue(m) === "number");
}

/**
 * The strings a property's declared type allows when it is a union of string literals (through
 * type aliases; null, undefined and arrays looked through), else undefined.
 * @param {TS} ts @param {import("typescript").TypeNode | undefined} node @param {Resolver} resolver
 * @returns {string[] | undefined}
 */
function stringLiteralUnion(ts, node, resolver) {
  if (!node || enumOfTypeNode(ts, node, resolver)) return undefined;
  let type = resolver.checker.getTypeFromTypeNode(node);
  if (resolver.checker.isArrayType(type)) {
    type = resolver.checker.getTypeArguments(/** @type {import("typescript").TypeReference} */ (type))[0];
  }
  const members = (type.isUnion() ? type.types : [type]).filter(
    (t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)),
  );
  if (members.length === 0 || !members.every((t) => t.isStringLiteral() && !(t.flags & ts.TypeFlags.EnumLiteral))) {
    return undefined;
  }
  return members.map((t) => /** @type {import("typescript").StringLiteralType} */ (t).value);
}

/**
 * TypeORM's snakeCase (util/StringUtils.ts), which its DefaultNamingStrategy applies to a class
 * name for the table name: "ABc" -> "A_Bc", then "aC" -> "a_C", then lower case. Written out as
 * the two left-to-right passes its regular expressions make over the name.
 * @param {string} name
 */
export function snakeCase(name) {
  const upper = (/** @type {string | undefined} */ c) => c !== undefined && c >= "A" && c <= "Z";
  const lowerOrDigit = (/** @type {string | undefined} */ c) => c !== undefined && ((c >= "a" && c <= "z") || (c >= "0" && c <= "9"));
  let first = "";
  for (let i = 0; i < name.length; ) {
    if (upper(name[i]) && upper(name[i + 1]) && name[i + 2] !== undefined && name[i + 2] >= "a" && name[i + 2] <= "z") {
      first += `${name[i]}_${name[i + 1]}${name[i + 2]}`;
      i += 3;
    } else first += name[i++];
  }
  let second = "";
  for (let i = 0; i < first.length; ) {
    if (lowerOrDigit(first[i]) && upper(first[i + 1])) {
      second += `${first[i]}_${first[i + 1]}`;
      i += 2;
    } else second += first[i++];
  }
  return second.toLowerCase();
}
