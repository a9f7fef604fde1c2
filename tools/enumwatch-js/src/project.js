// A project directory, read: its Prisma schema (and prisma/migrations), and its TypeScript files
// for Drizzle and TypeORM. node_modules and hidden directories are never entered; symbolic links
// to directories are not followed. Tests are not the application: *.test.ts and *.spec.ts files
// and __tests__ and __mocks__ directories are not read for enums (a test's throwaway pgEnum or
// entity is no type the deployed code expects).

import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { InputError, Report, qualified, quote } from "./model.js";
import { compareWithMigrations, readPrismaSchema } from "./prisma/read.js";
import { replayScript } from "./sql/enum_replay.js";
import { SqlSyntaxError } from "./sql/lexer.js";
import { createProgram, typescript } from "./typescript/program.js";
import { Resolver } from "./typescript/values.js";
import { readDrizzle } from "./typescript/drizzle.js";
import { readTypeorm } from "./typescript/typeorm.js";

/** @typedef {import("./model.js").EnumType} EnumType */
/** @typedef {import("./model.js").CheckEnum} CheckEnum */

const TS_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts"];
const SKIPPED_DIRECTORIES = ["node_modules", "__tests__", "__mocks__"];
const byPath = (/** @type {string} */ a, /** @type {string} */ b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every file under `dir` whose name passes `wanted`, sorted.
 * @param {string} dir @param {(name: string) => boolean} wanted
 * @returns {string[]}
 */
function walk(dir, wanted) {
  /** @type {string[]} */
  const out = [];
  const visit = (/** @type {string} */ d) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch (e) {
      throw new InputError(`${d}: cannot read the directory: ${/** @type {Error} */ (e).message}`);
    }
    for (const entry of entries) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.includes(entry.name) && !entry.name.startsWith(".")) visit(full);
      } else if (wanted(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && isFile(full)))) {
        out.push(full);
      }
    }
  };
  visit(dir);
  return out.sort(byPath);
}

/** @param {string} path */
function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** @param {string} path */
function isDirectory(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** @param {string} name */
const isTypescript = (name) =>
  TS_EXTENSIONS.some((x) => name.endsWith(x)) &&
  !TS_EXTENSIONS.some((x) => [".d", ".test", ".spec"].some((kind) => name.endsWith(kind + x)));

/**
 * The Prisma schemas, as Prisma finds them: the path package.json's "prisma.schema" or
 * prisma.config.ts's `schema` names (a file, or a folder of .prisma files), else
 * prisma/schema.prisma, schema.prisma, or the folder prisma/schema; failing those, each directory
 * holding .prisma files is one schema.
 * @param {string} projectDir @param {(abs: string) => string} display @param {Report} report
 * @returns {string[][]}  absolute paths, one list per schema
 */
function prismaSchemas(projectDir, display, report) {
  const configured = configuredSchemaPath(projectDir, display, report);
  const candidates = configured
    ? [configured]
    : [join(projectDir, "prisma", "schema.prisma"), join(projectDir, "schema.prisma"), join(projectDir, "prisma", "schema")];
  for (const candidate of candidates) {
    if (isFile(candidate)) return [[candidate]];
    if (isDirectory(candidate)) {
      const files = walk(candidate, (n) => n.endsWith(".prisma"));
      if (files.length > 0) return [files];
    }
    if (configured) throw new InputError(`${display(candidate)}: the Prisma schema the project names does not exist`);
  }
  /** @type {Map<string, string[]>} */
  const byDirectory = new Map();
  for (const file of walk(projectDir, (n) => n.endsWith(".prisma"))) {
    const files = byDirectory.get(dirname(file)) ?? [];
    files.push(file);
    byDirectory.set(dirname(file), files);
  }
  return [...byDirectory.values()];
}

/**
 * @param {string} projectDir @param {(abs: string) => string} display @param {Report} report
 * @returns {string | undefined}
 */
function configuredSchemaPath(projectDir, display, report) {
  const packageJson = join(projectDir, "package.json");
  if (isFile(packageJson)) {
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(packageJson, "utf8"));
    } catch (e) {
      throw new InputError(`${display(packageJson)}: not valid JSON: ${/** @type {Error} */ (e).message}`);
    }
    const schema = manifest?.prisma?.schema;
    if (typeof schema === "string") return resolve(projectDir, schema);
  }
  const config = ["prisma.config.ts", "prisma.config.mts", "prisma.config.cts"].map((n) => join(projectDir, n)).find(isFile);
  if (!config) return undefined;
  const ts = typescript();
  const source = ts.createSourceFile(config, readFileSync(config, "utf8"), ts.ScriptTarget.ESNext, true);
  /** @type {string | undefined} */
  let found;
  let unreadable = false;
  const visit = (/** @type {import("typescript").Node} */ node) => {
    if (ts.isPropertyAssignment(node) && node.name.getText() === "schema" && found === undefined) {
      if (ts.isStringLiteral(node.initializer) || ts.isNoSubstitutionTemplateLiteral(node.initializer)) found = node.initializer.text;
      else unreadable = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (unreadable && found === undefined) {
    report.warn(display(config), "cannot read its `schema` (not a string literal): looking in Prisma's default places");
  }
  return found === undefined ? undefined : resolve(dirname(config), found);
}

/**
 * @param {string} projectDir  absolute
 * @param {{cwd: string, report: Report}} context
 * @returns {{enums: EnumType[], checks: CheckEnum[]}}
 */
export function readProject(projectDir, { cwd, report }) {
  // Messages name files relative to the current directory, or absolutely when outside it.
  const display = (/** @type {string} */ abs) => {
    const rel = relative(cwd, abs);
    return rel === "" ? "." : rel === ".." || rel.startsWith(`..${sep}`) ? abs : rel;
  };
  /** @type {EnumType[]} */
  const enums = [];
  /** @type {CheckEnum[]} */
  const checks = [];

  for (const schemaFiles of prismaSchemas(projectDir, display, report)) {
    const files = schemaFiles.map((abs) => ({ abs, path: display(abs), text: readFileSync(abs, "utf8") }));
    const { enums: prismaEnums, datasourceFile } = readPrismaSchema(files, report);
    enums.push(...prismaEnums);
    // Prisma keeps migrations/ beside the file with the datasource block.
    const home = files.find((f) => f === datasourceFile) ?? files[0];
    comparePrismaMigrations(prismaEnums, join(dirname(home.abs), "migrations"), display, report);
  }

  const tsFiles = walk(projectDir, isTypescript);
  if (tsFiles.length > 0) {
    const { ts, program, checker } = createProgram(projectDir, tsFiles, display, report);
    const resolver = new Resolver(ts, checker);
    const sourceFiles = tsFiles.map((f) => program.getSourceFile(f)).filter((sf) => sf !== undefined);
    const where = (/** @type {import("typescript").Node} */ node) => {
      const sf = node.getSourceFile();
      return `${display(sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    };
    for (const sf of sourceFiles) enums.push(...readDrizzle(sf, resolver, where, report));
    const typeorm = readTypeorm(sourceFiles, resolver, where, report);
    enums.push(...typeorm.enums);
    checks.push(...typeorm.checks);
  }
  return { enums: mergeEnums(enums), checks: mergeChecks(checks) };
}

/**
 * Replays each migrations/<directory>/migration.sql in order and warns where the schema's enums differ from
 * what they leave behind. Nothing to compare without migrations, or when one cannot be tokenized.
 * @param {EnumType[]} enums @param {string} migrationsDir @param {(abs: string) => string} display
 * @param {Report} report
 */
function comparePrismaMigrations(enums, migrationsDir, display, report) {
  if (enums.length === 0 || !isDirectory(migrationsDir)) return;
  const scripts = readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(migrationsDir, d.name, "migration.sql"))
    .filter(isFile)
    .sort(byPath);
  if (scripts.length === 0) return;
  /** @type {Map<string, import("./sql/enum_replay.js").ReplayedEnum>} */
  const migrated = new Map();
  for (const script of scripts) {
    try {
      replayScript(readFileSync(script, "utf8"), display(script), migrated, (where, message) => report.warn(where, message));
    } catch (e) {
      if (!(e instanceof SqlSyntaxError)) throw e;
      report.warn(`${display(script)}:${e.line}:${e.col}`, `cannot read the migration (${e.message}): the migrations are not compared with the schema`);
      return;
    }
  }
  compareWithMigrations(enums, migrated, display(migrationsDir), report);
}

/**
 * One type used by several columns (or read from several files) is one type; the same name with
 * other values is an error, naming both places.
 * @param {EnumType[]} enums
 */
function mergeEnums(enums) {
  /** @type {Map<string, EnumType>} */
  const byKey = new Map();
  for (const e of enums) {
    const key = JSON.stringify([e.schema, e.name]);
    const first = byKey.get(key);
    if (!first) {
      byKey.set(key, e);
    } else if (JSON.stringify(first.values) !== JSON.stringify(e.values)) {
      throw new InputError(
        `${e.origin}: ${e.codeName ?? "enum"}: type ${qualified(e.schema, e.name)} has the values [${e.values.map(quote).join(", ")}] here, ` +
          `[${first.values.map(quote).join(", ")}] at ${first.origin}`,
      );
    }
  }
  return [...byKey.values()];
}

/** @param {CheckEnum[]} checks */
function mergeChecks(checks) {
  /** @type {Map<string, CheckEnum>} */
  const byKey = new Map();
  for (const c of checks) {
    const key = JSON.stringify([c.schema, c.table, c.column]);
    const first = byKey.get(key);
    if (!first) byKey.set(key, c);
    else if (JSON.stringify([...first.values].sort()) !== JSON.stringify([...c.values].sort())) {
      throw new InputError(`${c.origin}: the CHECK on ${qualified(c.schema, c.table, c.column)} differs from the one at ${first.origin}`);
    }
  }
  return [...byKey.values()];
}
