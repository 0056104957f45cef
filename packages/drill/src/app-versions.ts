import type { PGlite } from "@electric-sql/pglite";

// Two versions of a tiny account service, as the real parameterised queries they run.
// v2 replaces users.email with users.email_address; behind its flag it dual-writes, so
// either version can run against the expanded schema.

/** What an app version needs of its database: only its queries (a wrapper can count them, as pg_stat_statements does). */
export type AppDatabase = Pick<PGlite, "query">;

export interface AppVersion {
  version: string;
  /** Schema manifest: the table.columns this version reads and writes. */
  manifest: string[];
  healthCheck(db: AppDatabase, flagOn: boolean): Promise<void>;
  signUp(db: AppDatabase, email: string, flagOn: boolean): Promise<void>;
}

export const v1: AppVersion = {
  version: "1.0.0",
  manifest: ["users.id", "users.email", "users.name"],
  async healthCheck(db) {
    await db.query("select id, email, name from users order by id limit 5");
  },
  async signUp(db, email) {
    await db.query("insert into users (email, name) values ($1, $2)", [email, email.split("@")[0]]);
  },
};

export const v2: AppVersion = {
  version: "2.0.0",
  manifest: ["users.id", "users.email", "users.email_address", "users.name"],
  async healthCheck(db, flagOn) {
    await db.query(
      flagOn
        ? "select id, email_address, name from users order by id limit 5"
        : "select id, email, name from users order by id limit 5",
    );
  },
  async signUp(db, email, flagOn) {
    // Dual-write while both versions may run; with the flag on, only the new column is read.
    if (flagOn) await db.query("insert into users (email_address, name) values ($1, $2)", [email, email.split("@")[0]]);
    else
      await db.query("insert into users (email, email_address, name) values ($1, $1, $2)", [
        email,
        email.split("@")[0],
      ]);
  },
};

/** v2 as the one-step release shipped it: it reads a column only its own migration made,
 * and a typo in its health check makes it fail in production. */
export const v2Broken: AppVersion = {
  ...v2,
  manifest: ["users.id", "users.email_address", "users.name"],
  async healthCheck(db) {
    await db.query("select id, email_address, display_name from users order by id limit 5");
  },
  async signUp(db, email) {
    await db.query("insert into users (email_address, name) values ($1, $2)", [email, email.split("@")[0]]);
  },
};

export const BASE_SCHEMA = `
create table users (id serial primary key, email text, name text not null);
insert into users (email, name) select 'user' || i || '@example.com', 'user' || i from generate_series(1, 50) as i;
`;
