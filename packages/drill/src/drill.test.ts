import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { drillMarkdown, runDrill, type DrillEvidence } from "./index.ts";

const schema = JSON.parse(readFileSync(new URL("./evidence.schema.json", import.meta.url), "utf8"));
const ajv = new Ajv2020({ allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

let evidence: DrillEvidence;
beforeAll(async () => {
  evidence = await runDrill({ scenario: "both", windowMs: 300 });
}, 60_000);

describe("the incident drill", () => {
  it("shows the real PostgreSQL error when v1 runs after the one-step release", () => {
    const broken = evidence.steps.find((s) => s.scenario === "unsafe" && s.title.startsWith("v1 cannot read"))!;
    expect(broken).toMatchObject({ outcome: "failed", ok: true });
    expect(broken.error).toBe('column "email" does not exist');
    expect(evidence.unsafe?.rollbackError).toBe('column "email" does not exist');
  });

  it("shows that v2 failed its health check with a real error", () => {
    expect(evidence.steps.find((s) => s.title === "v2 fails its health check")?.error).toBe(
      'column "display_name" does not exist',
    );
  });

  it("counts what a data rollback loses", () => {
    expect(evidence.unsafe?.lostWrites).toBe(5);
    expect(evidence.steps.find((s) => s.title.startsWith("data rollback"))?.detail).toMatch(/5 sign-ups lost/);
  });

  it("succeeds at every step of the safe sequence and ends contracted with v1 UNSAFE", () => {
    const safe = evidence.steps.filter((s) => s.scenario === "safe");
    expect(safe.length).toBeGreaterThanOrEqual(10);
    for (const step of safe) expect(step.ok, `${step.title}: ${step.detail}`).toBe(true);
    expect(safe.find((s) => s.title.startsWith("roll the app back"))?.outcome).toBe("succeeded");
    expect(evidence.safe).toMatchObject({
      finalState: "contracted",
      eligibility: { verdict: "UNSAFE", targetVersion: "1.0.0" },
    });
    expect(evidence.safe?.eligibility.reasons[0]).toMatch(/dropped column users.email/);
    expect(evidence.passed).toBe(true);
  });

  it("catches a forgotten v1 worker with 'nothing still uses what the contract removes' on the embedded database's pg_stat_statements", () => {
    const caught = evidence.steps.find((s) => s.title.startsWith("a forgotten v1 worker"))!;
    expect(caught).toMatchObject({ outcome: "failed", ok: true, title: expect.stringMatching(/refuses the contract/) });
    expect(caught.error).toMatch(
      /^fail: 1 statement\(s\) still use what the contract removes .*select id, email, name from users order by id limit \$1.*public\.users\.email/,
    );
    const cleared = evidence.steps.find((s) => s.title.startsWith("the worker is stopped"))!;
    expect(cleared).toMatchObject({ outcome: "succeeded", ok: true });
    expect(cleared.detail).toMatch(/No statement that names public.users.email ran/);
  });

  it("writes an evidence bundle that validates against its published schema", () => {
    expect(validate(JSON.parse(JSON.stringify(evidence))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...evidence, steps: [] })).toBe(false);
    expect(drillMarkdown(evidence)).toContain(
      "| 8 | v1 cannot read its data: the column it needs is gone | failed | yes |",
    );
  });
});

describe("the second incident variant: the old version kept writing after the backfill", () => {
  let late: DrillEvidence;
  beforeAll(async () => {
    late = await runDrill({ scenario: "late-writes" });
  }, 60_000);

  it("the backfill's data check catches the rows v1 wrote after the backfill, the gate fails naming it and its count, break-glass cannot override it", () => {
    const steps = late.steps;
    expect(steps.every((s) => s.scenario === "late-writes")).toBe(true);
    for (const step of steps) expect(step.ok, `${step.title}: ${step.detail}`).toBe(true);
    const inspected = steps.find((s) => s.title.startsWith("rollgate inspect runs the backfill's data check"))!;
    expect(inspected.detail).toBe('"backfill.public.users.email_address": 3 row(s), keys 52, 53, 54');
    const refused = steps.find((s) => s.title.startsWith('the gate\'s "Data is carried over" fails'))!;
    expect(refused).toMatchObject({ outcome: "failed", ok: true });
    expect(refused.error).toMatch(
      /^1 of 1 data check\(s\) fail: "backfill\.public\.users\.email_address" found 3 row\(s\) \(keys 52, 53, 54\)\..*The gate is closed: no contract lease\.$/,
    );
    expect(steps.find((s) => s.title === "break-glass cannot override it")).toMatchObject({
      outcome: "failed",
      error: expect.stringMatching(/^still fail, not overridden/),
    });
    expect(late.lateWrites).toEqual({
      notCarriedOver: 3,
      check: "backfill.public.users.email_address",
      gateMessage: expect.stringContaining('"backfill.public.users.email_address" found 3 row(s)'),
    });
  });

  it("a second backfill pass clears the check, the gate's data check passes, and the contract loses no email", () => {
    expect(late.steps.find((s) => s.title.startsWith("the v1 worker is stopped"))?.detail).toBe(
      "3 rows written in 1 batch(es); the data check returns no rows",
    );
    expect(late.steps.find((s) => s.title === 'the gate\'s "Data is carried over" passes')?.outcome).toBe("succeeded");
    expect(late.steps.at(-1)?.detail).toBe("54 of 54 emails kept in users.email_address; v2 healthy");
    expect(late.passed).toBe(true);
    expect(late.unsafe).toBeNull();
    expect(late.safe).toBeNull();
  });

  it("rollgate rehearse proves, before the worker is stopped, that v1's own statements fail after the contract", () => {
    const step = late.steps.find((s) => s.title.startsWith("rollgate rehearse proves it"))!;
    expect(step, "the drill has a rehearsal step").toBeDefined();
    expect(step).toMatchObject({ outcome: "succeeded", ok: true });
    expect(late.steps.indexOf(step)).toBeLessThan(late.steps.findIndex((s) => s.title.startsWith("contract:")));
    expect(step.detail).toMatch(/^2 of 2 statement\(s\) of v1\.0\.0 work after expand and fail after the contract: /);
    expect(step.detail).toContain(
      '"insert into users (email, name) values ($1, $2)" (3 call(s)): column "email" of relation "users" does not exist',
    );
    expect(step.detail).toContain(
      '"select id, email, name from users order by id limit $1" (1 call(s)): column "email" does not exist',
    );
    expect(late.rehearsal).toMatchObject({ version: "1.0.0", statements: 2, passed: 0, noise: 0, unverifiable: 0 });
    expect(late.rehearsal?.proofs).toEqual(
      expect.arrayContaining([
        {
          statement: "insert into users (email, name) values ($1, $2)",
          error: 'column "email" of relation "users" does not exist',
          sqlstate: "42703",
          step: "prepare",
          calls: 3,
        },
        {
          statement: "select id, email, name from users order by id limit $1",
          error: 'column "email" does not exist',
          sqlstate: "42703",
          step: "prepare",
          calls: 1,
        },
      ]),
    );
    expect(drillMarkdown(late)).toContain(
      '- `insert into users (email, name) values ($1, $2)` (3 call(s)) fails at prepare: `column "email" of relation "users" does not exist`',
    );
  });

  it("a bundle without the rehearsal (written before it) still validates; a rehearsal without its proofs does not", () => {
    const { rehearsal: _rehearsal, ...older } = late;
    expect(validate(older), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...late, rehearsal: { ...late.rehearsal, proofs: undefined } })).toBe(false);
  });

  it("its evidence validates against the published schema, and the Markdown tells the story", () => {
    expect(validate(late), JSON.stringify(validate.errors)).toBe(true);
    const md = drillMarkdown(late);
    expect(md).toMatch(/## The old version kept writing after the backfill: the data check catches it/);
    expect(md).toMatch(/wrote 3 email\(s\) that a contract would have dropped/);
  });
});
