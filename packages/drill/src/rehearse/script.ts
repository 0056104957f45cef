import type { PGlite } from "@electric-sql/pglite";
import { parseScriptSync, SqlSyntaxError, type ScriptStatement } from "@rollgate/core/sql";
import { RehearsalInputError } from "./input.ts";

// The scripts of a rehearsal (the schema before the release, expand, contract), split by
// PostgreSQL's parser and applied one statement at a time, so that a failure names its line
// and statements PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY) run.

/** Extensions PGlite ships (`@electric-sql/pglite/contrib/<module>`), by extension name; plpgsql is built in. */
const PGLITE_EXTENSIONS: Record<string, string> = Object.fromEntries(
  [
    "amcheck",
    "auto_explain",
    "bloom",
    "btree_gin",
    "btree_gist",
    "citext",
    "cube",
    "dict_int",
    "dict_xsyn",
    "earthdistance",
    "file_fdw",
    "fuzzystrmatch",
    "hstore",
    "intarray",
    "isn",
    "lo",
    "ltree",
    "moddatetime",
    "pageinspect",
    "pg_buffercache",
    "pg_freespacemap",
    "pg_surgery",
    "pg_trgm",
    "pg_visibility",
    "pg_walinspect",
    "pgcrypto",
    "seg",
    "tablefunc",
    "tcn",
    "tsm_system_rows",
    "tsm_system_time",
    "unaccent",
  ].map((n) => [n, n]),
);
PGLITE_EXTENSIONS["uuid-ossp"] = "uuid_ossp";
const BUILT_IN_EXTENSIONS = new Set(["plpgsql"]);

/** Statements about the server rather than the schema a statement runs against: skipped (a dump has them). */
const SERVER_ONLY = new Set([
  "CreateSubscriptionStmt",
  "AlterSubscriptionStmt",
  "DropSubscriptionStmt",
  "CreatePublicationStmt",
  "AlterPublicationStmt",
  "SecLabelStmt",
]);

/** "Does not exist" errors: what a schema that needs a missing extension fails with. */
export const UNDEFINED_SQLSTATES = new Set(["42704", "42883", "42P01", "42703", "3F000", "42P02", "42710"]);

export interface Script {
  /** How to name it in an error: `migrations/0003_add.sql`, `the schema dump`, `the expand script`. */
  label: string;
  statements: ScriptStatement[];
}

/** What applying a script left out because PGlite lacks an extension. */
export interface Skipped {
  label: string;
  line: number;
  error: string;
}

/** Splits a script; a syntax error is bad input naming the file, line and column. */
export function splitScript(label: string, sql: string): Script {
  try {
    return { label, statements: parseScriptSync(sql) };
  } catch (error) {
    if (error instanceof SqlSyntaxError)
      throw new RehearsalInputError(
        `${label}, line ${error.line}, column ${error.column}: syntax error: ${error.message}`,
      );
    throw error;
  }
}

/** A `pg_dump` file as PostgreSQL's parser reads it: psql's meta-commands (`\restrict`, `\connect`)
 * and COPY data blocks blanked out, lines kept where they were. */
export function cleanDump(dump: string): string {
  const lines = dump.split("\n");
  let inCopy = false;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (inCopy) {
      if (line.replace(/\r$/, "") === "\\.") inCopy = false;
      lines[i] = "";
    } else if (line.startsWith("\\")) lines[i] = "";
    else if (/\bFROM\s+stdin;\s*$/i.test(line) && /^COPY\s/i.test(line)) {
      inCopy = true;
      lines[i] = "";
    }
  }
  return lines.join("\n");
}

/** The extensions the scripts create, split into what PGlite can load and what it lacks. */
export function extensionsOf(scripts: Script[]): { available: Map<string, string>; missing: string[] } {
  const available = new Map<string, string>();
  const missing = new Set<string>();
  for (const script of scripts)
    for (const s of script.statements) {
      if (s.type !== "CreateExtensionStmt") continue;
      const name = String(s.node.extname);
      if (BUILT_IN_EXTENSIONS.has(name)) continue;
      const module = PGLITE_EXTENSIONS[name];
      if (module) available.set(name, module);
      else missing.add(name);
    }
  return { available, missing: [...missing].sort() };
}

/** PGlite's extension bundles for `PGlite.create({ extensions })`. */
export async function loadExtensions(available: Map<string, string>): Promise<Record<string, unknown>> {
  const loaded: Record<string, unknown> = {};
  for (const module of available.values()) {
    const mod = (await import(`@electric-sql/pglite/contrib/${module}`)) as Record<string, unknown>;
    loaded[module] = mod[module];
  }
  return loaded;
}

/** Roles the scripts name (OWNER TO, GRANT … TO, policies) that they do not create themselves. */
export function rolesOf(scripts: Script[]): string[] {
  const named = new Set<string>();
  const created = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) walk(v);
    else if (value && typeof value === "object") {
      const node = value as Record<string, unknown>;
      const spec = node.RoleSpec as { roletype?: string; rolename?: string } | undefined;
      if (spec?.roletype === "ROLESPEC_CSTRING" && spec.rolename) named.add(spec.rolename);
      for (const v of Object.values(node)) walk(v);
    }
  };
  for (const script of scripts)
    for (const s of script.statements) {
      if (s.type === "CreateRoleStmt" && typeof s.node.role === "string") created.add(s.node.role);
      walk(s.node);
    }
  return [...named].filter((r) => !created.has(r)).sort();
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates the roles the scripts name (NOLOGIN), so that a dump's OWNER TO and GRANT apply as written. */
export async function createRoles(db: PGlite, roles: string[]): Promise<void> {
  if (roles.length === 0) return;
  const existing = await db.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname = ANY($1)", [roles]);
  const have = new Set(existing.rows.map((r) => r.rolname));
  for (const role of roles) if (!have.has(role)) await db.exec(`CREATE ROLE ${quoteIdent(role)} NOLOGIN`);
}

function extensionNamed(s: ScriptStatement): string | null {
  if (s.type === "CreateExtensionStmt" || s.type === "AlterExtensionStmt" || s.type === "AlterExtensionContentsStmt")
    return String(s.node.extname);
  if (s.type === "CommentStmt" && s.node.objtype === "OBJECT_EXTENSION")
    return (s.node.object as { String?: { sval?: string } } | undefined)?.String?.sval ?? null;
  if (s.type === "DropStmt" && s.node.removeType === "OBJECT_EXTENSION") {
    const first = (s.node.objects as Array<{ String?: { sval?: string } }> | undefined)?.[0];
    return first?.String?.sval ?? null;
  }
  return null;
}

/**
 * Applies a script statement by statement. A statement about a missing extension is skipped;
 * one that fails because of a missing extension ("does not exist", while one is missing) is
 * skipped and returned; any other failure is bad input naming the script, line and error.
 */
export async function applyScript(db: PGlite, script: Script, missing: ReadonlySet<string>): Promise<Skipped[]> {
  const skipped: Skipped[] = [];
  for (const s of script.statements) {
    if (SERVER_ONLY.has(s.type)) continue;
    const extension = extensionNamed(s);
    if (extension && missing.has(extension)) continue;
    try {
      await db.exec(s.text);
    } catch (error) {
      const { message, code } = error as { message?: string; code?: string };
      const text = `${message ?? String(error)}${code ? ` (SQLSTATE ${code})` : ""}`;
      if (missing.size > 0 && code && UNDEFINED_SQLSTATES.has(code)) {
        skipped.push({ label: script.label, line: s.line, error: text });
        // A failed statement inside the script's own BEGIN leaves the transaction aborted.
        await db.exec("ROLLBACK").catch(() => undefined);
        continue;
      }
      throw new RehearsalInputError(`${script.label}, line ${s.line}: PostgreSQL refused it: ${text}`);
    }
  }
  return skipped;
}
