import { PGlite } from "@electric-sql/pglite";
import { analyseSql } from "@rollgate/core/sql";
import { BASE_SCHEMA, v1, v2Broken } from "./app-versions.ts";
import { DRILL_START_PARAMS, freshDrillDatabase, type TemplateOptions } from "./template.ts";
import { Timeline, type Step } from "./timeline.ts";

const ONE_STEP_MIGRATION = `
alter table users add column email_address text;
update users set email_address = email;
alter table users drop column email;
`;

/** The incident: app code and a column drop ship together; the image rollback cannot save v1. */
export async function unsafeScenario(onStep?: (step: Step) => void, template: TemplateOptions = {}) {
  const t = new Timeline("unsafe", onStep);
  let db = await freshDrillDatabase(template);
  let backup: Blob | File | undefined;
  let writesAfterBackup = 0;
  try {
    await t.step("v1 runs on the original schema", "succeeds", async () => {
      await db.exec(BASE_SCHEMA);
      await v1.healthCheck(db, false);
      return "50 users; v1's health check passes";
    });
    await t.step("nightly backup taken before the release", "succeeds", async () => {
      backup = await db.dumpDataDir("none");
      return `physical backup of ${backup.size} bytes`;
    });
    await t.step("v1 keeps taking sign-ups after the backup", "succeeds", async () => {
      for (let i = 0; i < 3; i += 1) await v1.signUp(db, `late${i}@example.com`, false);
      writesAfterBackup += 3;
      return "3 new users";
    });
    await t.step("the release ships v2 and its migration in one step", "succeeds", async () => {
      const analysis = await analyseSql(ONE_STEP_MIGRATION);
      await db.exec(ONE_STEP_MIGRATION);
      const contract = analysis.findings.filter((f) => f.category === "contract").map((f) => f.rule);
      return `migration applied; Rollgate would have refused it as an expand (${contract.join(", ")})`;
    });
    await t.step("v2 takes traffic and writes before its health check fails", "succeeds", async () => {
      for (let i = 0; i < 2; i += 1) await v2Broken.signUp(db, `v2-${i}@example.com`, true);
      writesAfterBackup += 2;
      return "2 new users written by v2";
    });
    await t.step("v2 fails its health check", "fails", () => v2Broken.healthCheck(db, true));
    await t.step("image rollback to v1 succeeds", "succeeds", async () => "the v1 image is running again");
    await t.step("v1 cannot read its data: the column it needs is gone", "fails", () => v1.healthCheck(db, false));
    await t.step("v1 cannot take sign-ups either", "fails", () => v1.signUp(db, "after-rollback@example.com", false));
    await t.step(
      `data rollback means restoring the backup: ${writesAfterBackup} writes since it are lost`,
      "succeeds",
      async () => {
        const { rows } = await db.query<{ n: number }>("select count(*)::int as n from users");
        const before = rows[0]!.n;
        await db.close();
        db = await PGlite.create({ loadDataDir: backup, startParams: DRILL_START_PARAMS });
        const restored = (await db.query<{ n: number }>("select count(*)::int as n from users")).rows[0]!.n;
        await v1.healthCheck(db, false);
        return `restored: ${restored} users instead of ${before}; ${before - restored} sign-ups lost; v1 healthy again`;
      },
    );
    return { steps: t.steps, lostWrites: writesAfterBackup };
  } finally {
    await db.close().catch(() => {});
  }
}
