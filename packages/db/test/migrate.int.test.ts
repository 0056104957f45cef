import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase, rowsOf, type DbHandle } from "../src/client.ts";
import { migrateDatabase } from "../src/migrate.ts";
import { emptyPostgresDatabase, target } from "./harness.ts";

const run = promisify(execFile);
const packageDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const journal = (await import("../drizzle/meta/_journal.json", { with: { type: "json" } })).default;

describe("migrations at start-up", () => {
  it.runIf(target === "postgres")(
    "apply exactly once when two processes start together on an empty database",
    async () => {
      const empty = await emptyPostgresDatabase();
      try {
        const start = () =>
          run("pnpm", ["exec", "tsx", "src/bin/migrate.ts"], {
            cwd: packageDir,
            env: { ...process.env, DATABASE_URL: empty.url },
          });
        const [a, b] = await Promise.all([start(), start()]);
        expect(a.stdout).toContain("migrations applied");
        expect(b.stdout).toContain("migrations applied");
        const handle = await openDatabase({ url: empty.url, max: 1 });
        const applied = rowsOf<{ n: number }>(
          await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
        );
        expect(applied[0]!.n).toBe(journal.entries.length);
        await handle.close();
      } finally {
        await empty.drop();
      }
    },
  );

  it.runIf(target === "pglite")(
    "apply exactly once when two callers migrate one embedded database together",
    async () => {
      const handle = await openDatabase({ dataDir: "memory://" });
      await Promise.all([migrateDatabase(handle), migrateDatabase(handle)]);
      const applied = rowsOf<{ n: number }>(
        await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
      );
      expect(applied[0]!.n).toBe(journal.entries.length);
      await handle.close();
    },
  );

  it("are a no-op on a database that is already up to date", async () => {
    const handle = await openDatabase(
      target === "postgres" ? { url: process.env.DATABASE_URL!, max: 1 } : { dataDir: "memory://" },
    );
    await migrateDatabase(handle);
    await expect(migrateDatabase(handle)).resolves.toBeUndefined();
    await handle.close();
  });
});

describe("the migrated database and the drizzle schema", () => {
  it("have the same tables and columns (migration 0009 dropped next-auth's unused adapter tables)", async () => {
    const { getTableConfig, PgTable } = await import("drizzle-orm/pg-core");
    const { toSnakeCase } = await import("drizzle-orm/casing");
    const schema = await import("../src/schema/index.ts");
    const declared = (Object.values(schema) as unknown[])
      .filter((value): value is InstanceType<typeof PgTable> => value instanceof PgTable)
      .map((table) => getTableConfig(table))
      .map(
        (config) =>
          `${config.name}(${config.columns
            .map((c) => (c.keyAsName ? toSnakeCase(c.name) : c.name))
            .sort()
            .join(",")})`,
      )
      .sort();
    const handle = await openDatabase(
      target === "postgres" ? { url: process.env.DATABASE_URL!, max: 1 } : { dataDir: "memory://" },
    );
    await migrateDatabase(handle);
    const rows = rowsOf<{ table: string; columns: string }>(
      await handle.db.execute(
        sql`select table_name as table, string_agg(column_name, ',' order by column_name) as columns from information_schema.columns where table_schema = 'public' group by table_name order by table_name`,
      ),
    );
    await handle.close();
    const migrated = rows.map((r) => `${r.table}(${r.columns})`).sort();
    expect(migrated.filter((t) => /^(accounts|sessions|verification_tokens)\(/.test(t))).toEqual([]);
    expect(migrated).toEqual(declared);
  });
});

describe("the migrated catalog", () => {
  // Every column with its type, nullability and default, every constraint and every index, as
  // PostgreSQL prints them back.
  const catalog = sql`
    select 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
      || case when a.attnotnull then ' not null' else '' end
      || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') as line
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
    union all
    select 'constraint ' || c.relname || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
    from pg_constraint co join pg_class c on c.oid = co.conrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public'
    union all
    select 'index ' || indexname || ' ' || indexdef from pg_indexes where schemaname = 'public'
    order by 1`;
  const linesOf = async (handle: DbHandle) =>
    rowsOf<{ line: string }>(await handle.db.execute(catalog)).map((r) => r.line);

  it("is the catalog drizzle-kit creates from the schema: every column, constraint and index, by name", async () => {
    const { generateDrizzleJson, generateMigration } = await import("drizzle-kit/api");
    const schema = await import("../src/schema/index.ts");
    const statements = await generateMigration(
      generateDrizzleJson({}, undefined, undefined, "snake_case"),
      generateDrizzleJson(schema, undefined, undefined, "snake_case"),
    );
    const empty = target === "postgres" ? await emptyPostgresDatabase() : undefined;
    const pushed = await openDatabase(empty ? { url: empty.url, max: 1 } : { dataDir: "memory://" });
    const migrated = await openDatabase(
      target === "postgres" ? { url: process.env.DATABASE_URL!, max: 1 } : { dataDir: "memory://" },
    );
    try {
      for (const statement of statements) await pushed.db.execute(sql.raw(statement));
      await migrateDatabase(migrated);
      // 0003 added overrides.confirmed_by's foreign key NOT VALID (rows before it had no
      // confirmer); drizzle-kit has no way to declare that.
      const fromMigrations = (await linesOf(migrated)).map((line) =>
        line.startsWith("constraint overrides overrides_confirmed_by_users_id_fk ")
          ? line.replace(/ NOT VALID$/, "")
          : line,
      );
      expect(fromMigrations).toEqual(await linesOf(pushed));
    } finally {
      await migrated.close();
      await pushed.close();
      await empty?.drop();
    }
  });
});
