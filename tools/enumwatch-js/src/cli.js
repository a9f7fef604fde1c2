// The command line of enumwatch-js (SPEC §14):
//   enumwatch-js snapshot [--project DIR] [--output F] [--format toml|json]
//   enumwatch-js snapshot --project DIR --check F
// Exit 0: written (or, with --check, the code agrees with F); 1: --check found differences, one
// line per differing enum; 2: an error, in one line. Warnings never change the exit code.

import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { compare, driftLines } from "./check.js";
import { InputError, Report } from "./model.js";
import { readProject } from "./project.js";
import { loadSnapshot } from "./snapshot_input.js";
import { render, validate } from "./snapshot_output.js";

const PROGRAM = "enumwatch-js";

export const USAGE = `Usage: ${PROGRAM} snapshot [--project DIR] [--output FILE] [--format toml|json]
       ${PROGRAM} snapshot [--project DIR] --check SNAPSHOT

Writes an enumwatch snapshot (docs/snapshot-format.md) of the PostgreSQL enum types that a
TypeScript project's code expects: Prisma schemas (enum blocks, @map, @@map, @@schema), Drizzle
(pgEnum, pgSchema(...).enum) and TypeORM (enum columns, @Check membership tests).

Options:
  --project DIR      the project to read (default: the current directory)
  --output FILE      write the snapshot here, atomically (default: standard output)
  --format FORMAT    toml or json (default: json when FILE ends in .json, else toml)
  --check SNAPSHOT   compare the code with this committed snapshot (TOML, or .json) instead of
                     printing: exit 0 when they agree, 1 when they differ (one line per enum)
  -h, --help         this help
  --version          the version

Exit status: 0 written or no drift, 1 drift (--check), 2 error. Warnings go to standard error
and do not change it. docs/sources-of-truth-js.md tells what is read and which traps it reports.
`;

/**
 * @typedef {object} Io
 * @property {{write(text: string): unknown}} stdout
 * @property {{write(text: string): unknown}} stderr
 * @property {string} cwd
 */

/**
 * A message as one line: control characters (a newline in a file name) written as escapes.
 * @param {string} text
 */
function oneLine(text) {
  let out = "";
  for (const ch of text) {
    const cp = /** @type {number} */ (ch.codePointAt(0));
    out += cp < 0x20 || cp === 0x7f ? JSON.stringify(ch).slice(1, -1) : ch;
  }
  return out;
}

/**
 * @param {string[]} argv  the arguments after the program name
 * @param {Io} [io]
 * @returns {number}  the exit status
 */
export function main(argv, io = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }) {
  const say = (/** @type {string} */ line) => io.stderr.write(`${PROGRAM}: ${oneLine(line)}\n`);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        project: { type: "string" },
        output: { type: "string" },
        format: { type: "string" },
        check: { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
    });
  } catch (e) {
    say(`${/** @type {Error} */ (e).message} (${PROGRAM} --help)`);
    return 2;
  }
  const { values: options, positionals } = parsed;
  if (options.help || positionals[0] === "help") {
    io.stdout.write(USAGE);
    return 0;
  }
  if (options.version) {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    io.stdout.write(`${PROGRAM} ${manifest.version}\n`);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== "snapshot") {
    say(positionals.length === 0 ? `a command is needed: snapshot (${PROGRAM} --help)` : `unknown command ${JSON.stringify(positionals.join(" "))}: the command is snapshot (${PROGRAM} --help)`);
    return 2;
  }
  if (options.format !== undefined && options.format !== "toml" && options.format !== "json") {
    say(`--format ${JSON.stringify(options.format)}: write toml or json`);
    return 2;
  }

  const report = new Report();
  const project = options.project ?? ".";
  /** @type {ReturnType<typeof compare> | undefined} */
  let drift;
  let written;
  try {
    const projectDir = resolve(io.cwd, project);
    let isDir = false;
    try {
      isDir = statSync(projectDir).isDirectory();
    } catch {
      // reported below
    }
    if (!isDir) throw new InputError(`${project}: no such directory (--project)`);
    const { enums, checks } = readProject(projectDir, { cwd: io.cwd, report });
    validate(enums, checks);
    const database = options.check !== undefined ? loadSnapshot(options.check, io.cwd) : undefined;
    const format = /** @type {"toml" | "json"} */ (options.format ?? (options.output?.endsWith(".json") ? "json" : "toml"));
    const text = render(enums, checks, { source: `${PROGRAM} snapshot --project ${project}` }, format);
    if (options.output !== undefined && options.output !== "-") {
      writeAtomically(resolve(io.cwd, options.output), options.output, text);
      written = { enums: enums.length, checks: checks.length };
    } else if (!database) {
      io.stdout.write(text);
    }
    if (database) drift = compare(enums, checks, database);
  } catch (e) {
    if (e instanceof InputError) say(e.message);
    else if (e instanceof Error && "code" in e && "path" in e) say(`${e.path}: ${e.message}`);
    else say(`internal error, please report it: ${e instanceof Error ? e.stack?.split("\n").slice(0, 2).join(" ") : String(e)}`);
    return 2;
  }
  for (const w of report.warnings) say(`warning: ${w}`);
  if (written) say(`wrote ${written.enums} enum types and ${written.checks} CHECK-constraint enums to ${options.output}`);
  if (drift && drift.length > 0) {
    for (const line of driftLines(drift)) say(`drift: ${line}`);
    say(`the code's enums differ from ${options.check}: change the code, or migrate and re-capture the snapshot (enumwatch snapshot)`);
    return 1;
  }
  return 0;
}

/**
 * Write `text` to `path` through a temporary file in the same directory and a rename, so that a
 * reader never sees half a snapshot.
 * @param {string} path @param {string} name  as the user wrote it @param {string} text
 */
function writeAtomically(path, name, text) {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text, "utf8");
    renameSync(temporary, path);
  } catch (e) {
    try {
      unlinkSync(temporary);
    } catch {
      // it was never created
    }
    const err = /** @type {NodeJS.ErrnoException} */ (e);
    const why = err.code === "ENOENT" ? "no such directory" : err.code === "EACCES" ? "permission denied" : err.message;
    throw new InputError(`${name}: cannot write the snapshot: ${why}`);
  }
}
