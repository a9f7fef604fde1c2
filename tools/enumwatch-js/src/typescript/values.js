// What an expression in the code evaluates to, when the compiler can know it without running
// anything: string and number literals, template strings, `as const` arrays and objects, enum
// members (the checker's constant values, numeric auto-increments included), spreads, and
// constants imported from other files of the project, followed through the type checker's
// symbols; Object.values/Object.keys of an enum or object as JavaScript orders them. What it
// cannot know, it says so: the readers warn and skip rather than guess.

/** @typedef {import("typescript")} TS */
/** @typedef {import("typescript").Node} Node */
/** @typedef {import("typescript").Expression} Expression */
/** @typedef {string | number} Scalar */
/**
 * @typedef {{kind: "list", values: Scalar[]}
 *   | {kind: "object", object: Record<string, Scalar>, name: string, isEnum: boolean}
 *   | {kind: "unknown", why: string}} Resolved
 */

const MAX_DEPTH = 32;

export class Resolver {
  /** @param {TS} ts @param {import("typescript").TypeChecker} checker */
  constructor(ts, checker) {
    this.ts = ts;
    this.checker = checker;
  }

  /** Parentheses, `as`, `satisfies`, `<T>x` and `x!` change nothing at run time. @param {Expression} e */
  skipOuter(e) {
    const ts = this.ts;
    while (
      ts.isParenthesizedExpression(e) ||
      ts.isAsExpression(e) ||
      ts.isSatisfiesExpression(e) ||
      ts.isTypeAssertionExpression(e) ||
      ts.isNonNullExpression(e)
    ) {
      e = e.expression;
    }
    return e;
  }

  /**
   * The symbol a name refers to, through imports and re-exports.
   * @param {Node} node
   */
  symbolOf(node) {
    const ts = this.ts;
    let symbol = this.checker.getSymbolAtLocation(node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    return symbol;
  }

  /** @param {Node} node */
  declarationOf(node) {
    const symbol = this.symbolOf(node);
    return symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  }

  /**
   * Which package export a name refers to, when it comes from a package: `pgEnum` imported
   * from "drizzle-orm/pg-core" (directly, renamed, through a project file that re-exports it, or
   * as `pg.pgEnum` of `import * as pg`) is {module: "drizzle-orm/pg-core", name: "pgEnum"}.
   * Undefined for names declared in the project.
   * @param {Expression} callee
   * @returns {{module: string, name: string} | undefined}
   */
  importOrigin(callee) {
    const ts = this.ts;
    callee = this.skipOuter(callee);
    if (ts.isPropertyAccessExpression(callee)) {
      const namespace = this.importOrigin(callee.expression);
      return namespace?.name === "*" ? { module: namespace.module, name: callee.name.text } : undefined;
    }
    if (!ts.isIdentifier(callee)) return undefined;
    let symbol = this.checker.getSymbolAtLocation(callee);
    for (let depth = 0; symbol && symbol.flags & ts.SymbolFlags.Alias && depth < MAX_DEPTH; depth++) {
      const declaration = symbol.declarations?.[0];
      const next = this.checker.getImmediateAliasedSymbol(symbol);
      if (!next || !next.declarations || next.declarations.length === 0) {
        return declaration ? this.importedFrom(declaration) : undefined;
      }
      symbol = next;
    }
    return undefined;
  }

  /** @param {Node} declaration  an import or export specifier, a namespace import, an import clause */
  importedFrom(declaration) {
    const ts = this.ts;
    /** @type {Node | undefined} */
    let node = declaration;
    let name = "*";
    if (ts.isImportSpecifier(declaration) || ts.isExportSpecifier(declaration)) {
      name = (declaration.propertyName ?? declaration.name).text;
    } else if (ts.isImportClause(declaration)) {
      name = "default";
    }
    while (node && !ts.isImportDeclaration(node) && !ts.isExportDeclaration(node)) node = node.parent;
    const specifier = node && (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) ? node.moduleSpecifier : undefined;
    return specifier && ts.isStringLiteral(specifier) ? { module: specifier.text, name } : undefined;
  }

  /**
   * A string or number the expression always has, or undefined.
   * @param {Expression} e
   * @param {number} [depth]
   * @returns {Scalar | undefined}
   */
  scalar(e, depth = 0) {
    const ts = this.ts;
    if (depth > MAX_DEPTH) return undefined;
    e = this.skipOuter(e);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
    if (ts.isNumericLiteral(e)) return Number(e.text);
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) {
      return -Number(e.operand.text);
    }
    if (ts.isTemplateExpression(e)) {
      let text = e.head.text;
      for (const span of e.templateSpans) {
        const part = this.scalar(span.expression, depth + 1);
        if (part === undefined) return undefined;
        text += String(part) + span.literal.text;
      }
      return text;
    }
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      const value = this.checker.getConstantValue(e); // an enum member
      if (value !== undefined) return value;
    }
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      const declaration = this.declarationOf(ts.isElementAccessExpression(e) ? e.argumentExpression : ts.isPropertyAccessExpression(e) ? e.name : e);
      if (declaration && ts.isEnumMember(declaration)) return this.checker.getConstantValue(declaration);
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && isConst(ts, declaration)) {
        return this.scalar(declaration.initializer, depth + 1);
      }
      if (declaration && ts.isPropertyAssignment(declaration)) return this.scalar(declaration.initializer, depth + 1);
    }
    const type = this.checker.getTypeAtLocation(e);
    if (type.isStringLiteral() || type.isNumberLiteral()) return type.value;
    return undefined;
  }

  /**
   * An array's elements, or an enum's or object's run-time object.
   * @param {Expression} e
   * @param {number} [depth]
   * @returns {Resolved}
   */
  resolve(e, depth = 0) {
    const ts = this.ts;
    if (depth > MAX_DEPTH) return { kind: "unknown", why: "too many indirections" };
    e = this.skipOuter(e);
    if (ts.isArrayLiteralExpression(e)) {
      /** @type {Scalar[]} */
      const values = [];
      for (const element of e.elements) {
        if (ts.isSpreadElement(element)) {
          const inner = this.resolve(element.expression, depth + 1);
          if (inner.kind !== "list") return { kind: "unknown", why: `cannot read the spread ...${element.expression.getText()}` };
          values.push(...inner.values);
          continue;
        }
        const value = this.scalar(element, depth + 1);
        if (value === undefined) return { kind: "unknown", why: `cannot read the element ${element.getText()}` };
        values.push(value);
      }
      return { kind: "list", values };
    }
    if (ts.isObjectLiteralExpression(e)) return this.objectLiteral(e, depth);
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.arguments.length === 1) {
      const { expression: target, name } = e.expression;
      if (ts.isIdentifier(target) && target.text === "Object" && (name.text === "values" || name.text === "keys")) {
        const inner = this.resolve(e.arguments[0], depth + 1);
        if (inner.kind !== "object") return { kind: "unknown", why: `cannot read ${e.getText()}` };
        return { kind: "list", values: name.text === "values" ? Object.values(inner.object) : Object.keys(inner.object) };
      }
    }
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
      const declaration = this.declarationOf(ts.isPropertyAccessExpression(e) ? e.name : e);
      if (declaration && ts.isEnumDeclaration(declaration)) return this.enumObject(declaration);
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && isConst(ts, declaration)) {
        return this.resolve(declaration.initializer, depth + 1);
      }
      if (declaration && ts.isPropertyAssignment(declaration)) return this.resolve(declaration.initializer, depth + 1);
    }
    // Whatever the checker knows: a readonly tuple of literals (a function returning `as const`).
    const type = this.checker.getTypeAtLocation(e);
    if (this.checker.isTupleType(type)) {
      const elements = this.checker.getTypeArguments(/** @type {import("typescript").TypeReference} */ (type));
      if (elements.every((t) => t.isStringLiteral() || t.isNumberLiteral())) {
        return { kind: "list", values: elements.map((t) => /** @type {import("typescript").LiteralType} */ (t).value).map((v) => /** @type {Scalar} */ (v)) };
      }
    }
    return { kind: "unknown", why: `cannot read the value of ${e.getText()}` };
  }

  /**
   * The object an enum is at run time, built the way TypeScript emits it (`E[E["A"] = 0] = "A"`
   * for a numeric member), so that Object.keys and Object.values order it as JavaScript does.
   * @param {import("typescript").EnumDeclaration} declaration
   * @returns {Resolved}
   */
  enumObject(declaration) {
    const ts = this.ts;
    /** @type {Record<string, Scalar>} */
    const object = {};
    for (const member of declaration.members) {
      const value = this.checker.getConstantValue(member);
      const name = ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) ? member.name.text : undefined;
      if (value === undefined || name === undefined) {
        return { kind: "unknown", why: `enum ${declaration.name.text}: cannot compute the member ${member.name.getText()}` };
      }
      object[name] = value;
      if (typeof value === "number") object[String(value)] = name;
    }
    return { kind: "object", object, name: declaration.name.text, isEnum: true };
  }

  /**
   * @param {import("typescript").ObjectLiteralExpression} e @param {number} depth
   * @returns {Resolved}
   */
  objectLiteral(e, depth) {
    const ts = this.ts;
    /** @type {Record<string, Scalar>} */
    const object = {};
    for (const property of e.properties) {
      if (ts.isSpreadAssignment(property)) {
        const inner = this.resolve(property.expression, depth + 1);
        if (inner.kind !== "object") return { kind: "unknown", why: `cannot read the spread ...${property.expression.getText()}` };
        Object.assign(object, inner.object);
        continue;
      }
      const name = propertyName(ts, property);
      const value =
        ts.isPropertyAssignment(property) ? this.scalar(property.initializer, depth + 1)
        : ts.isShorthandPropertyAssignment(property) ? this.scalar(property.name, depth + 1)
        : undefined;
      if (name === undefined || value === undefined) return { kind: "unknown", why: `cannot read the property ${property.getText()}` };
      object[name] = value;
    }
    return { kind: "object", object, name: "object", isEnum: false };
  }

  /**
   * The properties of an object literal (followed through a constant and spreads), by name.
   * @param {Expression} e
   * @param {number} [depth]
   * @returns {Map<string, Expression> | undefined}
   */
  properties(e, depth = 0) {
    const ts = this.ts;
    if (depth > MAX_DEPTH) return undefined;
    e = this.skipOuter(e);
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
      const declaration = this.declarationOf(ts.isPropertyAccessExpression(e) ? e.name : e);
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
        return this.properties(declaration.initializer, depth + 1);
      }
      return undefined;
    }
    if (!ts.isObjectLiteralExpression(e)) return undefined;
    /** @type {Map<string, Expression>} */
    const out = new Map();
    for (const property of e.properties) {
      if (ts.isSpreadAssignment(property)) {
        const inner = this.properties(property.expression, depth + 1);
        if (!inner) return undefined;
        for (const [k, v] of inner) out.set(k, v);
      } else if (ts.isPropertyAssignment(property)) {
        const name = propertyName(ts, property);
        if (name !== undefined) out.set(name, property.initializer);
      } else if (ts.isShorthandPropertyAssignment(property)) {
        out.set(property.name.text, property.name);
      }
    }
    return out;
  }
}

/** @param {TS} ts @param {import("typescript").VariableDeclaration} declaration */
function isConst(ts, declaration) {
  const list = declaration.parent;
  return ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) !== 0;
}

/** @param {TS} ts @param {import("typescript").ObjectLiteralElementLike} property */
function propertyName(ts, property) {
  const name = property.name;
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) {
    return name.text;
  }
  return undefined;
}
