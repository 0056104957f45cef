import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { Io } from "../io.ts";
import { main } from "../main.ts";
import { connect } from "./connect.ts";
import { executeScript, splitScript } from "./executor.ts";
import { freshStatsDatabase } from "../../test/fresh-stats-database.ts";

// `rollgate run --database-url` must run the meaning that was approved. The savepoint script
// drops only `legacy` under `psql -1`; the executor used to skip its transaction statements
// and drop both. A stand-in Rollgate server answers the lease and events, so that the test
// sees whether the command reached the server or the database at all.

const SAVEPOINT_SCRIPT =
  "SAVEPOINT s;\nALTER TABLE items DROP COLUMN keep;\nROLLBACK TO SAVEPOINT s;\nALTER TABLE items DROP COLUMN legacy;\n";

let db: Awaited<ReturnType<typeof freshStatsDatabase>>;
let admin: postgres.Sql;
let server: Server;
let calls: string[] = [];
let dir: string;

beforeAll(async () => {
  db = await freshStatsDatabase(inject("statsDatabaseUrl"));
  admin = postgres(db.url, { max: 1, onnotice: () => undefined });
  server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      // Answers as Rollgate gives them: the CLI's client checks each against the API's schema.
      if (req.url?.endsWith("/gate/lease")) {
        res.statusCode = 201;
        const expires_at = new Date(Date.now() + 60_000).toISOString();
        res.end(JSON.stringify({ lease_id: randomUUID(), expires_at, checksum: "c".repeat(64), kind: "gate" }));
      } else if (req.url === "/api/v1/events") {
        res.statusCode = 202;
        res.end(JSON.stringify({ event_id: randomUUID(), duplicate: false }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { code: "not_found", message: "no", details: {} } }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  dir = await mkdtemp(path.join(tmpdir(), "rollgate-tx-"));
  process.env.ROLLGATE_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.ROLLGATE_TOKEN = "rg_test";
  process.env.ROLLGATE_SECRET = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
});
afterAll(async () => {
  await admin?.end();
  await db?.drop();
  await new Promise((r) => server?.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  calls = [];
  await admin.unsafe("drop table if exists items; create table items (id int primary key, keep text, legacy text)");
});

async function columns(): Promise<string[]> {
  const rows = await admin.unsafe(
    "select column_name from information_schema.columns where table_name = 'items' order by ordinal_position",
  );
  return rows.map((r) => r.column_name as string);
}

async function rollgateRun(script: string) {
  const file = path.join(dir, `m-${Math.random().toString(36).slice(2)}.sql`);
  await writeFile(file, script);
  const err: string[] = [];
  const io: Io = { out: () => undefined, err: (t) => void err.push(t), interactive: false };
  const code = await main(
    [
      "run",
      "--phase",
      "contract",
      "--file",
      file,
      "--database-url",
      db.url,
      "--service",
      "svc",
      "--environment",
      "staging",
      "--release",
      "r1",
    ],
    io,
  );
  return { code, err: err.join("\n") };
}

describe("rollgate run --database-url and the script's transaction control", () => {
  it("finding 4: the savepoint script is refused (exit 2, the statement and its line) before the server or the database is touched; nothing is dropped", async () => {
    const { code, err } = await rollgateRun(SAVEPOINT_SCRIPT);
    expect(code, err).toBe(2);
    expect(err).toMatch(/line 1: SAVEPOINT s/);
    expect(err).toMatch(/nothing was run/);
    expect(calls).toEqual([]);
    expect(await columns()).toEqual(["id", "keep", "legacy"]);
  });

  it("finding 4: the executor itself refuses the script too (defence in depth), and nothing is dropped", async () => {
    await expect(splitScript(SAVEPOINT_SCRIPT)).rejects.toThrow(/line 1.*SAVEPOINT/);
    expect(await columns()).toEqual(["id", "keep", "legacy"]);
  });

  it("a plain BEGIN first and COMMIT last is honoured: all of it or, when a statement fails, none of it (as psql)", async () => {
    const failing = await splitScript(
      "BEGIN;\nALTER TABLE items DROP COLUMN keep;\nALTER TABLE items DROP COLUMN missing;\nCOMMIT;\n",
    );
    expect(failing.map((s) => s.line)).toEqual([2, 3]);
    const conn = connect(db.url);
    try {
      const failed = await executeScript(conn.query, failing, {
        lockTimeoutMs: 1000,
        statementTimeoutMs: 10_000,
        retries: 0,
      });
      expect(failed.ok).toBe(false);
      expect(await columns()).toEqual(["id", "keep", "legacy"]);
      const { code, err } = await rollgateRun("BEGIN;\nALTER TABLE items DROP COLUMN legacy;\nCOMMIT;\n");
      expect(code, err).toBe(0);
      expect(await columns()).toEqual(["id", "keep"]);
    } finally {
      await conn.close();
    }
  });

  it("each BEGIN … COMMIT block commits on its own, as under psql: a later statement's failure keeps the committed block", async () => {
    const statements = await splitScript(
      "BEGIN;\nALTER TABLE items DROP COLUMN keep;\nCOMMIT;\nALTER TABLE items DROP COLUMN missing;\n",
    );
    expect(statements.map((s) => [s.line, s.block])).toEqual([
      [2, 0],
      [4, undefined],
    ]);
    const conn = connect(db.url);
    try {
      const result = await executeScript(conn.query, statements, {
        lockTimeoutMs: 1000,
        statementTimeoutMs: 10_000,
        retries: 0,
      });
      expect(result.ok).toBe(false);
      expect(await columns()).toEqual(["id", "legacy"]);
    } finally {
      await conn.close();
    }
  });
});
