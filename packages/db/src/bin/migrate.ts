// `pnpm db:migrate`: applies Rollgate's migrations to DATABASE_URL or the embedded data folder.
import { openDatabase } from "../client.ts";
import { migrateDatabase } from "../migrate.ts";

const handle = await openDatabase();
try {
  await migrateDatabase(handle);
  console.log(`migrations applied (${handle.kind})`);
} finally {
  await handle.close();
}
