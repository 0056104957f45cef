import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type * as schema from "./schema/index.ts";

export type Schema = typeof schema;
/** The database or an open transaction: every query function takes this first. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
