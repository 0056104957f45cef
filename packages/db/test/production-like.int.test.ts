import { readFileSync } from "node:fs";
import path from "node:path";
import { PRODUCTION_LIKE_NAME, newEnvironment, proposedProductionLike } from "@rollgate/core/policy";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../src/client.ts";
import { setProductionLike } from "../src/queries/admin.ts";
import { listOverview } from "../src/queries/overview.ts";
import { environments, services } from "../src/schema/index.ts";
import { testDatabase, uniqueSlug } from "./harness.ts";

const { db } = await testDatabase();
const NAMES = [
  "production",
  "prod",
  "prod-eu",
  "PRD1",
  "live",
  "live-eu",
  " prod ",
  "staging",
  "preprod",
  "qa",
  "liver",
];

describe("finding 16: production-like environments in the database", () => {
  it("finding 16: prod-eu is created production-like with production's defaults, and an explicit flag change sticks", async () => {
    const [svc] = await db
      .insert(services)
      .values({ slug: uniqueSlug("pl"), name: "pl" })
      .returning();
    const [env] = await db
      .insert(environments)
      .values({ serviceId: svc!.id, name: "prod-eu", position: 0, ...newEnvironment("prod-eu") })
      .returning();
    expect(env!.productionLike).toBe(true);
    expect(env!.policy).toMatchObject({ rollbackWindowSeconds: 72 * 3600, approvals: { required: 2 } });
    const changed = await setProductionLike(db, env!.id, false, new Date());
    expect(changed).toMatchObject({ name: "prod-eu", productionLike: false });
    const line = (await listOverview(db)).find((r) => r.serviceSlug === svc!.slug);
    expect(line?.environmentProductionLike).toBe(false);
  });

  it("migration 0016 backfills existing environments with the same rule that proposes the flag for new ones", async () => {
    const migration = readFileSync(path.join(import.meta.dirname, "..", "drizzle", "0016_production_like.sql"), "utf8");
    expect(migration).toContain(`~* '${PRODUCTION_LIKE_NAME}'`);
    for (const name of NAMES) {
      const [row] = rowsOf<{ m: boolean }>(
        await db.execute(sql`select btrim(${name}::text) ~* ${PRODUCTION_LIKE_NAME} as m`),
      );
      expect(row!.m, name).toBe(proposedProductionLike(name));
    }
  });
});
