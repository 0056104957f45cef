import { randomUUID } from "node:crypto";
import { SAMPLE_DATA } from "@rollgate/core/testing/samples";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "../auth/current-user";

// Issue 28, the dashboard's control of a backfill: the CLI's read (GET …/backfills/{id}), the
// Pause, Resume and Cancel server actions for the service's release managers and on-call
// engineers (audited), refused for a viewer whatever the form says, the panel's data, the
// timeline and the evidence bundle.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
let signedIn: CurrentUser | null = null;
vi.mock("../auth/current-user", () => ({ currentUser: async () => signedIn }));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const schema = await import("@rollgate/db/schema");
const support = await import("../../../test/integrations");
const actions = await import("@/app/rollouts/[service]/[environment]/[release]/actions");
const controlRoute =
  await import("@/app/api/v1/rollouts/[service]/[environment]/[release]/backfills/[backfill_id]/route");
const panelRoute = await import("@/app/api/dashboard/backfills/[service]/[environment]/[release]/route");
const { exportEvidence } = await import("@rollgate/app/rollouts/export-evidence");
const { getRolloutView } = await import("@rollgate/app/rollouts/get-rollout-view");
const { evidenceMarkdown } = await import("../rollouts/evidence-markdown");
const { db } = await database();
afterAll(() => closeDatabase());

async function person(email: string, role: string, serviceId: string | null): Promise<CurrentUser> {
  const [user] = await db.insert(schema.users).values({ email }).returning();
  await db.insert(schema.userRoles).values({ userId: user!.id, role, serviceId });
  return { id: user!.id, email, name: null, roles: [{ role: role as "viewer", serviceId }] };
}

async function setup() {
  const svc = await support.testService(db, "bf");
  await support.startWindow(svc, "r1", "2.0.0", new Date());
  const backfillId = randomUUID();
  await support.send(svc, "r1", "backfill.started", { ...SAMPLE_DATA["backfill.started"], backfill_id: backfillId });
  const keys = { service: svc.slug, environment: "staging", release: "r1" };
  const read = async (id: string = backfillId, token = svc.token, params = keys) => {
    const path = `/api/v1/rollouts/${params.service}/${params.environment}/${params.release}/backfills/${id}`;
    const response = await controlRoute.GET(
      new Request(`http://rollgate.test${path}`, { headers: { authorization: `Bearer ${token}` } }),
      { params: Promise.resolve({ ...params, backfill_id: id }) },
    );
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const press = (action: string, id: string = backfillId) =>
    actions.backfillAction(
      {},
      (() => {
        const form = new FormData();
        for (const [k, v] of Object.entries({ ...keys, backfillId: id, action })) form.append(k, v);
        return form;
      })(),
    );
  const audit = async () =>
    db
      .select()
      .from(schema.auditEvents)
      .where(and(eq(schema.auditEvents.subjectType, "backfill"), eq(schema.auditEvents.subjectId, backfillId)));
  return { svc, keys, backfillId, read, press, audit };
}

describe("GET /api/v1/rollouts/{service}/{environment}/{release}/backfills/{backfill_id}", () => {
  it("answers run and the state once the backfill started; 404 as JSON for an unknown or malformed id; 403 for another service's token", async () => {
    const { read, backfillId } = await setup();
    expect(await read()).toEqual({
      status: 200,
      body: { backfill_id: backfillId, control: "run", requested_by: null, requested_at: null, state: "running" },
    });
    const unknown = await read(randomUUID());
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      error: { code: "not_found", message: expect.stringContaining("no backfill") },
    });
    expect((await read("not-a-uuid")).status).toBe(404);
    const other = await support.testService(db, "bf-other");
    expect((await read(backfillId, other.token)).status).toBe(403);
  });
});

describe("Pause, Resume and Cancel from the dashboard", () => {
  it("a release manager pauses and resumes: the CLI's read follows, with who and when, and each press is audited", async () => {
    const { svc, read, press, audit } = await setup();
    signedIn = await person(`rm.${svc.slug}@example.com`, "release_manager", svc.serviceId);
    expect(await press("pause")).toEqual({ done: expect.stringContaining("Pause requested") });
    expect((await read()).body).toMatchObject({
      control: "pause",
      requested_by: signedIn.email,
      requested_at: expect.any(String),
      state: "running",
    });
    expect(await press("pause")).toEqual({ error: "This backfill is paused already." });
    expect(await press("resume")).toEqual({ done: expect.stringContaining("Resume requested") });
    expect((await read()).body).toMatchObject({ control: "run", requested_by: signedIn.email });
    const entries = await audit();
    expect(entries.map((e) => e.action)).toEqual(["backfill.pause_requested", "backfill.resume_requested"]);
    expect(entries[0]).toMatchObject({
      actorType: "user",
      actorId: signedIn.id,
      data: expect.objectContaining({
        email: signedIn.email,
        role: "release_manager",
        control: "pause",
        before: "run",
      }),
    });
  });

  it("an on-call engineer cancels; a cancelled backfill is not resumed, and its end is final", async () => {
    const { svc, read, press, backfillId } = await setup();
    signedIn = await person(`oncall.${svc.slug}@example.com`, "on_call", null);
    expect(await press("cancel")).toEqual({ done: expect.stringContaining("Cancel requested") });
    expect((await read()).body).toMatchObject({ control: "cancel", state: "running" });
    expect(await press("resume")).toEqual({ error: expect.stringContaining("cannot be resumed") });
    // The CLI stops and says so: the backfill is cancelled for good.
    await support.send(svc, "r1", "backfill.failed", {
      backfill_id: backfillId,
      rows_done: 10,
      error: "Cancelled from the dashboard.",
      cancelled: true,
    });
    expect((await read()).body).toMatchObject({ control: "cancel", state: "cancelled" });
    expect(await press("resume")).toEqual({ error: expect.stringContaining("cannot be resumed") });
  });

  it("a viewer's forged press is refused and changes nothing; anonymous likewise; a bad form is refused", async () => {
    const { svc, read, press, audit } = await setup();
    for (const who of [await person(`viewer.${svc.slug}@example.com`, "viewer", null), null]) {
      signedIn = who;
      for (const action of ["pause", "cancel", "resume"])
        expect(await press(action)).toEqual({ error: expect.any(String) });
    }
    signedIn = await person(`rm2.${svc.slug}@example.com`, "release_manager", svc.serviceId);
    expect(await press("stop")).toEqual({ error: "Choose Pause, Resume or Cancel." });
    expect(await press("pause", "x")).toEqual({ error: "The backfill form is incomplete." });
    expect(await press("pause", randomUUID())).toEqual({ error: expect.stringContaining("no backfill") });
    expect((await read()).body).toMatchObject({ control: "run", requested_by: null });
    expect(await audit()).toEqual([]);
  });
});

describe("the panel, the timeline and the evidence", () => {
  it("the panel shows each backfill's numbers, with buttons only for those who may press them", async () => {
    const { svc, keys, backfillId } = await setup();
    await support.send(svc, "r1", "backfill.progress", {
      ...SAMPLE_DATA["backfill.progress"],
      backfill_id: backfillId,
      throttle: "Replica lag 900 ms, close to --max-lag 1s: smaller batches.",
    });
    const panel = async () => {
      const response = await panelRoute.GET(
        new Request(`http://rollgate.test/api/dashboard/backfills/${keys.service}/staging/r1`),
        { params: Promise.resolve(keys) },
      );
      return {
        status: response.status,
        body: (await response.json()) as { backfills: Array<Record<string, unknown>> },
      };
    };
    signedIn = await person(`rm3.${svc.slug}@example.com`, "release_manager", svc.serviceId);
    const seen = await panel();
    expect(seen.status).toBe(200);
    expect(seen.body.backfills).toEqual([
      expect.objectContaining({
        backfill_id: backfillId,
        table: "public.invoices",
        state: "running",
        rows_done: 250_000,
        estimate_rows: 1_000_000,
        rate_per_s: 12_500.5,
        eta_s: 60,
        replica_lag_ms: 120,
        throttle: "Replica lag 900 ms, close to --max-lag 1s: smaller batches.",
        actions: ["pause", "cancel"],
      }),
    ]);
    signedIn = await person(`viewer2.${svc.slug}@example.com`, "viewer", null);
    expect((await panel()).body.backfills[0]).toMatchObject({ actions: [] });
    signedIn = null;
    expect((await panel()).status).toBe(401);
  });

  it("started, paused and finished show on the timeline (progress does not), and the evidence carries the events and the backfill", async () => {
    const { svc, keys, backfillId } = await setup();
    const data = (type: keyof typeof SAMPLE_DATA) => ({ ...SAMPLE_DATA[type], backfill_id: backfillId });
    await support.send(svc, "r1", "backfill.progress", data("backfill.progress"));
    await support.send(svc, "r1", "backfill.paused", data("backfill.paused"));
    await support.send(svc, "r1", "backfill.finished", data("backfill.finished"));
    const deps = { db, now: new Date() };
    const view = await getRolloutView(deps, keys);
    expect(view.timeline.items.map((i) => i.what).filter((w) => w.startsWith("backfill."))).toEqual([
      "backfill.finished",
      "backfill.paused",
      "backfill.started",
    ]);
    expect(view.row.rollout.state).toBe("verifying");
    const evidence = await exportEvidence(deps, keys, async () => undefined);
    expect(evidence.events.map((e) => e.type).filter((t) => t.startsWith("backfill."))).toEqual([
      "backfill.started",
      "backfill.progress",
      "backfill.paused",
      "backfill.finished",
    ]);
    expect(evidence.backfills).toEqual([
      expect.objectContaining({ backfillId, state: "finished", rowsDone: 1_000_000, tableName: "public.invoices" }),
    ]);
    expect(JSON.stringify(evidence.backfills)).not.toContain('controlRequestedBy"');
    // The printable bundle lists the backfill and its ended events, and counts the progress reports.
    const printed = evidenceMarkdown(evidence);
    expect(printed).toContain("## Backfills");
    expect(printed).toContain(
      "- FINISHED `public.invoices` SET `billing_email = email` WHERE `billing_email IS NULL`: 1,000,000 rows done of ~1,000,000, 998,000 written",
    );
    expect(printed).toContain("| backfill.paused |");
    expect(printed).not.toContain("| backfill.progress |");
    expect(printed).toContain("1 backfill progress report(s) are left out here; the JSON export lists each.");
  });
});
