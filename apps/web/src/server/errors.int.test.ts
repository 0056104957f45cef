import { randomUUID } from "node:crypto";
import { openDatabase } from "@rollgate/db/client";
import { captureLogs } from "@rollgate/log/testing/capture";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));
const { AppError, errorResponse } = await import("./errors");

// The database the run targets: PostgreSQL when DATABASE_URL is set, else PGlite.
const handle = await openDatabase(
  process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, max: 1 } : { dataDir: "memory://" },
);
afterAll(() => handle.close());

/** Everything `errorResponse` logs while answering `error`. */
async function logged(error: unknown): Promise<{ status: number; output: string }> {
  const logs = captureLogs("trace");
  try {
    const response = errorResponse(error);
    expect(await response.json()).toEqual({ error: { code: "internal", message: expect.any(String) } });
    expect(logs.records()).toEqual([expect.objectContaining({ level: "error", msg: "unhandled error" })]);
    return { status: response.status, output: logs.text() };
  } finally {
    logs.restore();
  }
}

async function failure(query: Promise<unknown>): Promise<unknown> {
  return query.then(
    () => {
      throw new Error("the query was expected to fail");
    },
    (error: unknown) => error,
  );
}

describe("finding 14: database errors are logged without query parameters or values", () => {
  it("finding 14: a secret in a failing query's parameters never reaches the log output", async () => {
    const secret = `whsec_${randomUUID()}`;
    const error = await failure(handle.db.execute(sql`select ${secret}::uuid as id`));
    // The error itself carries the secret (Drizzle's message and PostgreSQL's): the log must not.
    expect(String((error as Error).message) + String((error as Error).cause)).toContain(secret);
    const { status, output } = await logged(error);
    expect(status).toBe(500);
    expect(output).not.toContain(secret);
    expect(output).toContain("22P02"); // invalid_text_representation: the SQLSTATE is kept
    expect(output).not.toMatch(/select .*::uuid/i);
  });

  it("finding 14: a unique violation logs its constraint, not the duplicate value in its detail", async () => {
    const secret = `rg_${randomUUID()}`;
    await handle.db.execute(
      sql`create temporary table if not exists finding_14 (token_hash text constraint finding_14_hash unique)`,
    );
    await handle.db.execute(sql`insert into finding_14 values (${secret})`);
    const error = await failure(handle.db.execute(sql`insert into finding_14 values (${secret})`));
    const { output } = await logged(error);
    expect(output).not.toContain(secret);
    expect(output).toContain("finding_14_hash");
    expect(output).toContain("23505");
  });

  it("an AppError is answered as itself and not logged", async () => {
    const logs = captureLogs("trace");
    try {
      const response = errorResponse(new AppError("not_found", "No such rollout."));
      expect(response.status).toBe(404);
      expect(logs.lines).toEqual([]);
    } finally {
      logs.restore();
    }
  });
});
