// Prisma schemas: the enums Prisma Migrate creates, read by Prisma's own parser. get_datamodel of
// @prisma/prisma-schema-wasm validates the schema as `prisma validate` does (the same errors) and returns
// the datamodel part of the DMMF: each enum's name and @@map, each value's name and @map. The type
// is named by @@map (else the enum's name) and its labels are the @map values (else the value
// names), exactly what Prisma Client writes. The DMMF has no @@schema for enums, so that (and the
// datasource's provider) comes from schema_lexer.js over the same, already validated, text; its
// @@map must agree with the DMMF's, and is checked to.
//
// Prisma 6 requires `url` in the datasource and Prisma 7 rejects it, and each has its own parser:
// a schema with `url` is read by Prisma 6.19's (the prisma-schema-wasm-6 alias), one without by
// Prisma 7's.

import { createRequire } from "node:module";
import { DEFAULT_SCHEMA, InputError, quote } from "../model.js";
import { folded } from "../check.js";
import { blockAttribute, blockKeys, blocks } from "./schema_lexer.js";

const require = createRequire(import.meta.url);

/** @typedef {import("../model.js").EnumType} EnumType */
/** @typedef {import("../model.js").Report} Report */
/** @typedef {{path: string, text: string, abs?: string}} SchemaFile  path: as messages name it */

const POSTGRES_PROVIDERS = new Set(["postgresql", "postgres", "cockroachdb"]);

/**
 * @typedef {object} DmmfEnum
 * @property {string} name
 * @property {string | null} [dbName]
 * @property {{name: string, dbName?: string | null}[]} values
 */

/**
 * @param {SchemaFile[]} files   one schema: a schema.prisma, or every file of a schema folder
 * @param {Report} report
 * @returns {{enums: EnumType[], datasourceFile: SchemaFile | undefined}}
 */
export function readPrismaSchema(files, report) {
  const parsed = files.map((f) => ({ file: f, blocks: blocks(f.text) }));
  let datasource;
  for (const { file, blocks: bs } of parsed) {
    const block = bs.find((b) => b.keyword === "datasource");
    if (block && !datasource) datasource = { file, block, keys: blockKeys(block) };
  }
  const provider = datasource?.keys.get("provider");
  if (datasource && provider?.kind === "string" && !POSTGRES_PROVIDERS.has(provider.value)) {
    report.warn(
      `${datasource.file.path}:${datasource.block.line}`,
      `datasource provider ${quote(provider.value)} is not PostgreSQL: its enums are not read`,
    );
    return { enums: [], datasourceFile: datasource.file };
  }
  const prisma6 = datasource !== undefined && datasource.keys.has("url");
  const wasm = require(prisma6 ? "prisma-schema-wasm-6" : "@prisma/prisma-schema-wasm");
  /** @type {{enums: DmmfEnum[]}} */
  let datamodel;
  try {
    const params = { prismaSchema: files.map((f) => [f.path, f.text]), noColor: true };
    datamodel = JSON.parse(wasm.get_datamodel(JSON.stringify(params)));
  } catch (e) {
    throw new InputError(prismaError(e, files));
  }

  /** @type {EnumType[]} */
  const enums = [];
  for (const e of datamodel.enums) {
    const found = parsed.flatMap(({ file, blocks: bs }) =>
      bs.filter((b) => b.keyword === "enum" && b.name === e.name).map((block) => ({ file, block })),
    )[0];
    const origin = found ? `${found.file.path}:${found.block.line}` : files[0].path;
    const lexedMap = found ? blockAttribute(found.block, "map") : undefined;
    if (found && (lexedMap ?? null) !== (e.dbName ?? null)) {
      // Never expected: the lexer and Prisma disagree on @@map, so @@schema may be wrong too.
      throw new InputError(`${origin}: enum ${e.name}: cannot read its @@map/@@schema reliably (Prisma says ${quote(e.dbName ?? "(none)")})`);
    }
    const schema = (found && blockAttribute(found.block, "schema")) ?? DEFAULT_SCHEMA;
    const values = e.values.map((v) => v.dbName ?? v.name);
    warnForgottenMap(e, origin, report);
    enums.push({ schema, name: e.dbName ?? e.name, values, origin, codeName: `enum ${e.name}` });
  }
  return { enums, datasourceFile: datasource?.file };
}

/**
 * The "@map forgotten on one value" trap: some values are mapped to snake_case labels and one,
 * with capitals, is not, so Prisma Client writes that one's PascalCase name.
 * @param {DmmfEnum} e @param {string} origin @param {Report} report
 */
function warnForgottenMap(e, origin, report) {
  const mapped = e.values.filter((v) => v.dbName);
  if (mapped.length === 0) return;
  const hasCapital = (/** @type {string} */ s) => [...s].some((c) => c !== c.toLowerCase());
  if (mapped.some((v) => hasCapital(/** @type {string} */ (v.dbName)))) return;
  for (const v of e.values) {
    if (!v.dbName && hasCapital(v.name)) {
      report.warn(
        origin,
        `enum ${e.name}: value ${v.name} has no @map while the others map to lower-case labels: ` +
          `Prisma writes ${quote(v.name)} (forgotten @map?)`,
      );
    }
  }
}

/**
 * One line from a Prisma validation error: "file:line: message (N errors)".
 * @param {unknown} e @param {SchemaFile[]} files
 */
function prismaError(e, files) {
  const raw = e instanceof Error ? e.message : String(e);
  let message = raw;
  try {
    message = JSON.parse(raw).message ?? raw;
  } catch {
    // not JSON: a panic message, used as it is
  }
  const lines = message.split("\n").map((l) => l.trim());
  const first = lines.findIndex((l) => l.startsWith("error:"));
  if (first < 0) return `${files[0].path}: Prisma cannot read the schema: ${lines.find((l) => l) ?? raw}`;
  const text = lines[first].slice("error:".length).trim().replace("Error validating: ", "");
  const arrow = lines.slice(first + 1).find((l) => l.startsWith("-->"));
  const where = arrow ? arrow.slice(3).trim() : files[0].path;
  const count = lines.find((l) => l.startsWith("Validation Error Count:"));
  const n = count ? Number(count.slice("Validation Error Count:".length)) : 1;
  return `${where}: ${text}${n > 1 ? ` (and ${n - 1} more ${n > 2 ? "errors" : "error"})` : ""}`;
}

/**
 * The "spelled differently in the migrations" trap: the schema's labels against the types
 * prisma/migrations leaves behind.
 * @param {EnumType[]} enums
 * @param {Map<string, {schema: string, name: string, values: string[], origin: string}>} migrated
 * @param {string} migrationsDir  as messages name it
 * @param {Report} report
 */
export function compareWithMigrations(enums, migrated, migrationsDir, report) {
  for (const e of enums) {
    const m = migrated.get(JSON.stringify([e.schema, e.name]));
    const label = e.codeName ?? `enum ${e.name}`;
    if (!m) {
      report.warn(e.origin, `${label}: no migration in ${migrationsDir} creates type ${quote(e.name)} in schema ${quote(e.schema)} (prisma migrate dev not run?)`);
      continue;
    }
    const inMigrations = new Set(m.values);
    const notMigrated = e.values.filter((v) => !inMigrations.has(v));
    const onlyMigrated = m.values.filter((v) => !e.values.includes(v));
    for (const v of notMigrated) {
      const twin = onlyMigrated.find((u) => folded(u) === folded(v));
      if (twin !== undefined) {
        onlyMigrated.splice(onlyMigrated.indexOf(twin), 1);
        report.warn(e.origin, `${label}: the schema's label ${quote(v)} is spelled ${quote(twin)} in the migrations (${m.origin}): Prisma writes ${quote(v)}, the database has ${quote(twin)}; add @map(${quote(twin)}) or a migration`);
      } else {
        report.warn(e.origin, `${label}: no migration adds the label ${quote(v)} (prisma migrate dev not run?)`);
      }
    }
    for (const v of onlyMigrated) {
      report.warn(e.origin, `${label}: the migrations (${m.origin}) have the label ${quote(v)}, the schema does not`);
    }
  }
}
