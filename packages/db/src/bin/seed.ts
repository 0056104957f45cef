// `pnpm db:seed [--if-empty]`: migrates, then loads the demo world into DATABASE_URL or the
// embedded data folder. With --if-empty, a database that already has services is left alone.
import { parseArgs } from "node:util";
import { openDatabase } from "../client.ts";
import { migrateDatabase } from "../migrate.ts";
import { seedDemo } from "../seed/index.ts";

const { values } = parseArgs({ options: { "if-empty": { type: "boolean", default: false } } });
const handle = await openDatabase();
try {
  await migrateDatabase(handle);
  const result = await seedDemo(handle.db, new Date(), { ifEmpty: values["if-empty"] });
  console.log(
    result.seeded
      ? `demo data loaded (${handle.kind}): ${result.services} services, ${result.rollouts} rollouts, ${result.sloSnapshots} SLO snapshots`
      : `demo data kept: the database already has ${result.services} services`,
  );
} finally {
  await handle.close();
}
