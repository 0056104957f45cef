import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it, vi } from "vitest";

// The per-token limit: shares reserved in PostgreSQL, admitted in memory, one counter for all replicas.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));
const { database, closeDatabase } = await import("@rollgate/db/runtime");
const { rateLimits } = await import("@rollgate/db/schema");
const { admitRequest } = await import("./rate-limiter");
const { db } = await database();
afterAll(() => closeDatabase());

const KEY = Symbol.for("rollgate.rateLimitShares");
const slot = globalThis as Record<symbol, unknown>;
/** Runs one request as a replica of its own: each replica keeps its shares in its own process. */
async function on(replica: Map<string, unknown>, request: () => Promise<{ ok: boolean }>) {
  slot[KEY] = replica;
  return (await request()).ok;
}
// Mid-minute, so a test's requests fall in one window.
const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
const counted = async (bucket: string) =>
  (
    await db
      .select({ count: rateLimits.count })
      .from(rateLimits)
      .where(
        and(
          eq(rateLimits.bucket, bucket),
          eq(rateLimits.windowStart, new Date(Math.floor(at.getTime() / 60_000) * 60_000)),
        ),
      )
  )[0]?.count ?? 0;

describe("the rate limit across replicas", () => {
  it("admits exactly the limit from two replicas taking turns, then refuses on both", async () => {
    const bucket = `token:${randomUUID()}`;
    const replicas = [new Map(), new Map()];
    const answers: boolean[] = [];
    for (let i = 0; i < 64; i += 1) answers.push(await on(replicas[i % 2]!, () => admitRequest(db, bucket, at, 60)));
    expect(answers.slice(0, 60).every(Boolean)).toBe(true);
    expect(answers.slice(60)).toEqual([false, false, false, false]);
  });

  it("under a large limit, writes once per reserved share, not once per request", async () => {
    const bucket = `token:${randomUUID()}`;
    const replica = new Map();
    for (let i = 0; i < 500; i += 1) expect(await on(replica, () => admitRequest(db, bucket, at, 100_000))).toBe(true);
    // One reservation of a hundredth of the limit covers all 500 requests.
    expect(await counted(bucket)).toBe(1000);
  });

  it("concurrent requests on one replica share one reservation and never pass the limit", async () => {
    const bucket = `token:${randomUUID()}`;
    const replica = new Map();
    slot[KEY] = replica;
    const answers = await Promise.all(Array.from({ length: 40 }, () => admitRequest(db, bucket, at, 25)));
    expect(answers.filter((a) => a.ok)).toHaveLength(25);
    const refused = answers.find((a) => !a.ok) as { ok: false; resetAt: Date };
    expect(refused.resetAt.getTime()).toBe(Math.floor(at.getTime() / 60_000) * 60_000 + 60_000);
    // Refused requests past the limit are answered from memory: the counter stops at the limit.
    expect(await counted(bucket)).toBe(25);
  });

  it("requests straddling a window's end, in flight together, strand nothing: what the counters hold was admitted", async () => {
    const bucket = `token:${randomUUID()}`;
    slot[KEY] = new Map();
    const minute = Math.floor(at.getTime() / 60_000) * 60_000;
    const late = new Date(minute + 59_990);
    const early = new Date(minute + 60_010);
    // Interleaved, as a load balancer delivers them when the minute turns: 20 stamped just before, 20 just after.
    // (A share of the old window put back over the new one's stranded its reservation, and the two took turns.)
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => admitRequest(db, bucket, i % 2 ? early : late, 20)),
    );
    const rows = await db.select({ count: rateLimits.count }).from(rateLimits).where(eq(rateLimits.bucket, bucket));
    const reserved = rows.reduce((sum, r) => sum + Math.min(r.count, 20), 0);
    const admitted = answers.filter((a) => a.ok).length;
    expect(admitted).toBeGreaterThanOrEqual(20);
    expect(admitted).toBe(reserved);
  });
});
