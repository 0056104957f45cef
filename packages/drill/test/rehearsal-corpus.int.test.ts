import { randomBytes } from "node:crypto";
import { loadModule, parseSync } from "libpg-query";
import postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { freshDrillDatabase } from "../src/template.ts";
import { REHEARSAL_CORPUS, type RehearsalCase } from "./rehearsal-corpus.ts";

// The corpus's truth, from PostgreSQL itself: for every case, on a database of its own, the
// statement works on `schema`, fails after `breaks` and works after `harmless`. Embedded PGlite
// by default, the real server when DATABASE_URL is set. Each contract runs in a transaction
// that is rolled back, so both contracts see the same schema-after-expand.

const MISSED_KINDS = [
  "not-null-added",
  "check-added",
  "type-narrowed",
  "enum-value-removed",
  "function-signature-changed",
  "view-column-dropped",
];
const ORMS = ["drizzle", "prisma", "activerecord", "django", "hibernate"] as const;

/** One session on a database of the case's own. */
interface Session {
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

async function freshSession(): Promise<Session> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await freshDrillDatabase();
    return {
      exec: async (sql) => void (await db.exec(sql)),
      close: () => db.close(),
    };
  }
  const name = `rc_${randomBytes(6).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  // One connection: the transaction and the prepared statement of a probe share a session.
  const db = postgres(target.toString(), { max: 1, onnotice: () => undefined });
  return {
    exec: async (sql) => void (await db.unsafe(sql).simple()),
    async close() {
      await db.end();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

const literal = (value: string | null) => (value === null ? "null" : `'${value.replaceAll("'", "''")}'`);

/**
 * Applies `contract` (if any) in a transaction, prepares the statement, executes it with the
 * case's values when it has some, and rolls everything back. Returns PostgreSQL's error, or
 * null when the statement works.
 */
async function probe(session: Session, c: RehearsalCase, contract: string | null): Promise<string | null> {
  await session.exec("begin");
  try {
    if (contract) await session.exec(contract);
    try {
      await session.exec(`prepare rehearsal_case as ${c.statement}`);
      if (c.params) await session.exec(`execute rehearsal_case(${c.params.map(literal).join(", ")})`);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  } finally {
    await session.exec("rollback");
    // A prepared statement outlives its transaction.
    await session.exec("deallocate all");
  }
}

describe("rehearsal corpus: the truth on PostgreSQL", () => {
  for (const c of REHEARSAL_CORPUS)
    it(`${c.orm} ${c.name}`, async () => {
      const session = await freshSession();
      try {
        await session.exec(c.schema);
        expect(await probe(session, c, null), "works after expand").toBeNull();
        expect(await probe(session, c, c.breaks), "fails after the breaking contract").not.toBeNull();
        expect(await probe(session, c, c.harmless), "works after the harmless contract").toBeNull();
      } finally {
        await session.close();
      }
    });
});

/** Every node of a parse tree with its key, and whether it sits inside a type name. */
function* nodes(node: unknown, inType = false): Generator<{ key: string; value: unknown; inType: boolean }> {
  if (Array.isArray(node)) for (const item of node) yield* nodes(item, inType);
  else if (node !== null && typeof node === "object")
    for (const [key, value] of Object.entries(node)) {
      yield { key, value, inType };
      yield* nodes(value, inType || key === "TypeName" || key === "typeName");
    }
}

describe("rehearsal corpus: its shape", () => {
  beforeAll(() => loadModule());

  it("has at least 60 cases with unique names, every ORM and every kind a name match misses twice", () => {
    expect(REHEARSAL_CORPUS.length).toBeGreaterThanOrEqual(60);
    const names = REHEARSAL_CORPUS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    const orms = new Set(REHEARSAL_CORPUS.map((c) => c.orm));
    for (const orm of ORMS) expect(orms, orm).toContain(orm);
    for (const kind of MISSED_KINDS)
      expect(REHEARSAL_CORPUS.filter((c) => c.missedByNameMatch === kind).length, kind).toBeGreaterThanOrEqual(2);
  });

  for (const c of REHEARSAL_CORPUS)
    it(`${c.name}: one statement, $n parameters, no constant pg_stat_statements would have normalised`, () => {
      const stmts = parseSync(c.statement).stmts ?? [];
      expect(stmts).toHaveLength(1);
      const all = [...nodes(stmts[0])];
      const params = all.filter((n) => n.key === "ParamRef").map((n) => (n.value as { number: number }).number);
      expect(params.length, "has $n parameters").toBeGreaterThan(0);
      // Type modifiers (`varchar(255)`) are part of a type, not constants of the query.
      const constants = all.filter((n) => n.key === "A_Const" && !n.inType);
      expect(constants, "constants left in the text").toEqual([]);
      const highest = Math.max(...params);
      expect(
        [...new Set(params)].sort((a, b) => a - b),
        "numbered $1…$n without gaps",
      ).toEqual(Array.from({ length: highest }, (_, i) => i + 1));
      const writes = all.some((n) => ["InsertStmt", "UpdateStmt", "DeleteStmt"].includes(n.key));
      if (writes) expect(c.params, "a write carries the values its application binds").toBeDefined();
      if (c.params) expect(c.params).toHaveLength(highest);
    });
});
