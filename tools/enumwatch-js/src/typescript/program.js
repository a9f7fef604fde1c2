// One TypeScript program over the project's own .ts files, for the readers to walk with the type
// checker. Imports between the project's files resolve (relative ones, and tsconfig "paths");
// imports of packages do not: node_modules is never read, so the result does not depend on what
// is installed, and the readers recognise Drizzle and TypeORM by the module an import names.
// No default library either (noLib): the readers need declarations and constant values, not
// lib.d.ts, and it keeps a run fast.

import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../model.js";

const require = createRequire(import.meta.url);

/** @typedef {import("typescript")} TS */
/** @typedef {import("../model.js").Report} Report */

/** @returns {TS} */
export function typescript() {
  return require("typescript");
}

/**
 * @param {string} projectDir  absolute
 * @param {string[]} files     absolute paths of the project's .ts/.tsx/.mts/.cts files
 * @param {(abs: string) => string} display  how messages name a file
 * @param {Report} report
 */
export function createProgram(projectDir, files, display, report) {
  const ts = typescript();
  const options = compilerOptions(ts, projectDir, display, report);
  const host = ts.createCompilerHost(options, true);
  const cache = ts.createModuleResolutionCache(projectDir, (f) => f, options);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, opts) =>
    literals.map((literal) => {
      const resolved = ts.resolveModuleName(literal.text, containingFile, opts, host, cache, redirected);
      const m = resolved.resolvedModule;
      if (!m || m.isExternalLibraryImport || m.resolvedFileName.includes("/node_modules/") || m.extension === ts.Extension.Dts) {
        return { resolvedModule: undefined };
      }
      return resolved;
    });
  const program = ts.createProgram({ rootNames: files, options, host });
  for (const file of files) {
    const sourceFile = program.getSourceFile(file);
    if (!sourceFile) continue;
    const diagnostics = program.getSyntacticDiagnostics(sourceFile);
    if (diagnostics.length > 0) {
      const d = diagnostics[0];
      const { line, character } = sourceFile.getLineAndCharacterOfPosition(d.start ?? 0);
      const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : "";
      throw new InputError(
        `${display(file)}:${line + 1}:${character + 1}: cannot parse: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}${more}`,
      );
    }
  }
  return { ts, program, checker: program.getTypeChecker() };
}

/**
 * The project's tsconfig.json options (its "paths" and "baseUrl" matter), with what this tool
 * needs on top.
 * @param {TS} ts @param {string} projectDir @param {(abs: string) => string} display @param {Report} report
 * @returns {import("typescript").CompilerOptions}
 */
function compilerOptions(ts, projectDir, display, report) {
  /** @type {import("typescript").CompilerOptions} */
  let options = {
    target: ts.ScriptTarget.ESNext,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    jsx: ts.JsxEmit.Preserve,
  };
  const tsconfig = join(projectDir, "tsconfig.json");
  if (existsSync(tsconfig)) {
    const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
    if (read.error) {
      report.warn(display(tsconfig), `cannot read it (${ts.flattenDiagnosticMessageText(read.error.messageText, " ")}): using default options`);
    } else {
      const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, projectDir, undefined, tsconfig);
      options = { ...options, ...parsed.options };
    }
  }
  return {
    ...options,
    noLib: true,
    types: [],
    noEmit: true,
    allowJs: false,
    checkJs: false,
    skipLibCheck: true,
    incremental: false,
    composite: false,
    declaration: false,
    plugins: [],
  };
}
