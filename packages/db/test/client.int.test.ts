import { createServer, connect, type Server } from "node:net";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase, rowsOf } from "../src/client.ts";
import { services } from "../src/schema/index.ts";
import { commitWith, transaction } from "../src/transaction.ts";
import { target, testDatabase } from "./harness.ts";

// On PostgreSQL every statement is prepared (one Bind/Execute per use instead of asking for its
// parameter types first), in transactions too. PGlite runs in the process: nothing to save there.
describe.skipIf(target !== "postgres")("the PostgreSQL client", () => {
  it("prepares every statement, inside a transaction too", async () => {
    await testDatabase(); // migrated
    const handle = await openDatabase({ url: process.env.DATABASE_URL!, max: 1 });
    try {
      await handle.db.select({ id: services.id }).from(services).where(eq(services.slug, "no-such-service"));
      await handle.db.transaction((tx) =>
        tx.select({ id: services.id }).from(services).where(eq(services.name, "no-such-name")),
      );
      const prepared = rowsOf<{ statement: string }>(
        await handle.db.execute(sql`select statement from pg_prepared_statements`),
      ).map((r) => r.statement);
      expect(prepared.some((s) => s.includes('"slug" = $1'))).toBe(true);
      expect(prepared.some((s) => s.includes('"name" = $1'))).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it("turns JIT compilation off on its connections (a big estimate made short reads compile first)", async () => {
    const handle = await openDatabase({ url: process.env.DATABASE_URL!, max: 1 });
    try {
      const [row] = rowsOf<{ jit: string }>(await handle.db.execute(sql`select current_setting('jit') as jit`));
      expect(row!.jit).toBe("off");
      await handle.db.transaction(async (tx) => {
        const [inside] = rowsOf<{ jit: string }>(await tx.execute(sql`select current_setting('jit') as jit`));
        expect(inside!.jit).toBe("off");
      });
    } finally {
      await handle.close();
    }
  });

  it("sends BEGIN with a transaction's first statements, not a round trip ahead of them", async () => {
    await testDatabase();
    const proxy = await countingProxy(new URL(process.env.DATABASE_URL!));
    const handle = await openDatabase({ url: proxy.url, max: 1 });
    try {
      const transaction = () =>
        handle.db.transaction(async (tx) => {
          await tx.execute(sql`select ${"first"}::text`);
          await tx.execute(sql`select ${"second"}::text`);
        });
      await transaction(); // prepares both statements on the connection
      const before = proxy.writes();
      await transaction();
      // [BEGIN + first] [second] [COMMIT]: three round trips; postgres.js's own begin takes four.
      expect(proxy.writes() - before).toBe(3);
    } finally {
      await handle.close();
      proxy.server.close();
    }
  });

  it("sends the statements a transaction ends with (commitWith) in COMMIT's own write", async () => {
    await testDatabase();
    const proxy = await countingProxy(new URL(process.env.DATABASE_URL!));
    const handle = await openDatabase({ url: proxy.url, max: 1 });
    try {
      const stamp = Date.now();
      const slug = (n: number) => `committing-${n}-${stamp}`;
      const run = (n: number) =>
        transaction(handle.db, async (tx) => {
          await tx.execute(sql`select ${"first"}::text`);
          return commitWith(n, sql`insert into services (slug, name) values (${slug(n)}, ${"x"})`);
        });
      await run(1); // prepares the statements on the connection
      const before = proxy.writes();
      expect(await run(2)).toBe(2);
      // [BEGIN + select] [insert + COMMIT]
      expect(proxy.writes() - before).toBe(2);
      const stored = await handle.db
        .select({ slug: services.slug })
        .from(services)
        .where(eq(services.slug, slug(2)));
      expect(stored).toEqual([{ slug: slug(2) }]);
    } finally {
      await handle.close();
      proxy.server.close();
    }
  });

  it("fails and rolls back a transaction when a statement it did not wait for fails", async () => {
    const { db } = await testDatabase();
    const slug = `pipelined-${Date.now()}`;
    await expect(
      db.transaction(async (tx) => {
        void tx.execute(sql`insert into services (slug, name) values (${slug}, ${slug})`).catch(() => {});
        void tx.execute(sql`select 1 / 0`).catch(() => {});
        await tx.execute(sql`select 1`).catch(() => {});
      }),
    ).rejects.toThrow(/division by zero/);
    const rows = await db.select({ id: services.id }).from(services).where(eq(services.slug, slug));
    expect(rows).toEqual([]);
  });

  it("runs a nested transaction as a savepoint: its failure undoes only its own statements", async () => {
    const { db } = await testDatabase();
    const [kept, undone] = [`kept-${Date.now()}`, `undone-${Date.now()}`];
    await db.transaction(async (tx) => {
      await tx.insert(services).values({ slug: kept, name: kept });
      await expect(
        tx.transaction(async (inner) => {
          await inner.insert(services).values({ slug: undone, name: undone });
          await inner.execute(sql`select 1 / 0`);
        }),
      ).rejects.toThrow(/Failed query: select 1 \/ 0/);
    });
    const found = await db
      .select({ slug: services.slug })
      .from(services)
      .where(sql`${services.slug} in (${kept}, ${undone})`);
    expect(found).toEqual([{ slug: kept }]);
  });
});

/** A TCP proxy in front of PostgreSQL that counts the client's writes as they arrive (one per round trip when pipelined). */
async function countingProxy(upstream: URL): Promise<{ url: string; writes(): number; server: Server }> {
  let writes = 0;
  const server = createServer((client) => {
    const db = connect(Number(upstream.port || 5432), upstream.hostname);
    client.on("data", (chunk) => {
      writes += 1;
      db.write(chunk);
    });
    db.pipe(client);
    client.on("close", () => db.destroy());
    db.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(upstream);
  url.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url: url.toString(), writes: () => writes, server };
}

// Either engine: what a transaction ends with is part of it.
describe("transaction() ending with commitWith", () => {
  it("commits the last statements with the rest, and returns the value", async () => {
    const { db } = await testDatabase();
    const [a, b] = [`last-a-${Date.now()}`, `last-b-${Date.now()}`];
    const value = await transaction(db, async (tx) => {
      await tx.insert(services).values({ slug: a, name: a });
      return commitWith("done", sql`insert into services (slug, name) values (${b}, ${b})`);
    });
    expect(value).toBe("done");
    const found = await db
      .select({ slug: services.slug })
      .from(services)
      .where(sql`${services.slug} in (${a}, ${b})`)
      .orderBy(services.slug);
    expect(found).toEqual([{ slug: a }, { slug: b }]);
  });

  it("rolls back everything when a last statement fails", async () => {
    const { db } = await testDatabase();
    const slug = `last-fails-${Date.now()}`;
    await expect(
      transaction(db, async (tx) => {
        await tx.insert(services).values({ slug, name: slug });
        return commitWith("never", sql`insert into services (slug, name) values (${slug}, ${"duplicate slug"})`);
      }),
    ).rejects.toThrow();
    expect(await db.select({ id: services.id }).from(services).where(eq(services.slug, slug))).toEqual([]);
  });
});

describe("tryLock", () => {
  const key = 7_263_114_539_000 + Math.floor(Math.random() * 1000);

  it("holds a key until it is released: a second taker is refused, then succeeds", async () => {
    const handle = await testDatabase();
    const release = await handle.tryLock(key);
    expect(release).not.toBeNull();
    expect(await handle.tryLock(key)).toBeNull();
    await release!();
    const again = await handle.tryLock(key);
    expect(again).not.toBeNull();
    await again!();
  });

  it.skipIf(target !== "postgres")(
    "holds across processes on one database (another pool stands for a replica)",
    async () => {
      await testDatabase();
      const replicas = [1, 2].map(() => openDatabase({ url: process.env.DATABASE_URL!, max: 2 }));
      const [one, two] = await Promise.all(replicas);
      try {
        const [first, second] = await Promise.all([one!.tryLock(key + 1), two!.tryLock(key + 1)]);
        expect([first, second].filter(Boolean)).toHaveLength(1);
        await (first ?? second)!();
        const later = await two!.tryLock(key + 1);
        expect(later).not.toBeNull();
        await later!();
      } finally {
        await Promise.all([one!.close(), two!.close()]);
      }
    },
  );

  it.skipIf(target !== "postgres")("is freed when its connection drops", async () => {
    await testDatabase();
    const one = await openDatabase({ url: process.env.DATABASE_URL!, max: 1 });
    const two = await openDatabase({ url: process.env.DATABASE_URL!, max: 1 });
    try {
      expect(await one.tryLock(key + 2)).not.toBeNull();
      await one.close();
      const taken = await two.tryLock(key + 2);
      expect(taken).not.toBeNull();
      await taken!();
    } finally {
      await two.close();
    }
  });
});
