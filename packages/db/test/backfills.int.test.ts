import { mapEvent, type MappedRolloutEvent } from "@rollgate/core/lifecycle";
import type { EventBody } from "@rollgate/core/contract/events";
import { describe, expect, it } from "vitest";
import { SAMPLE_DATA } from "@rollgate/core/testing/samples";
import { findBackfill, listBackfills, setBackfillControl } from "../src/queries/backfills.ts";
import { recordEvent } from "../src/queries/signals.ts";
import { timelinePage } from "../src/queries/timeline.ts";
import { upsertUser } from "../src/queries/users.ts";
import { makeRelease } from "./fixtures.ts";
import { testDatabase, uniqueSlug } from "./harness.ts";

// The backfills projection: every backfill.* event moves its row through recordEvent (fact kind
// "backfill"), out-of-order events never move a final state, and the dashboard's control is kept
// with who asked and when.

const { db } = await testDatabase();
const T0 = Date.parse("2026-12-01T10:00:00Z");

type BackfillType =
  "backfill.started" | "backfill.progress" | "backfill.paused" | "backfill.finished" | "backfill.failed";

async function setup() {
  const { rollouts, environments } = await makeRelease(db);
  const rolloutId = rollouts[0]!.id;
  const environmentId = environments[0]!.id;
  const backfillId = crypto.randomUUID();
  let seconds = 0;
  /** Sends one backfill event through core's mapping and db's recordEvent, as ingest does. */
  const send = async <K extends BackfillType>(type: K, patch: Partial<(typeof SAMPLE_DATA)[K]> = {}) => {
    seconds += 1;
    const receivedAt = new Date(T0 + seconds * 1000);
    const body = {
      type,
      service: "svc",
      environment: "staging",
      release: "r1",
      occurred_at: receivedAt.toISOString(),
      data: { ...SAMPLE_DATA[type], backfill_id: backfillId, ...patch },
    } as EventBody;
    const mapped = mapEvent(body, receivedAt) as MappedRolloutEvent;
    await db.transaction((tx) =>
      recordEvent(tx, type, mapped.fact, {
        eventId: crypto.randomUUID(),
        rolloutId,
        environmentId,
        occurredAt: receivedAt,
        receivedAt,
        deliveryId: null,
        stateBefore: "verifying",
        stateAfter: "verifying",
        data: mapped.data,
      }),
    );
    return receivedAt;
  };
  const row = async () => (await findBackfill(db, rolloutId, backfillId))!;
  return { rolloutId, backfillId, send, row };
}

describe("the backfills projection", () => {
  it("follows started, progress, paused, progress and finished, keeping what each said", async () => {
    const { send, row, rolloutId, backfillId } = await setup();
    const startedAt = await send("backfill.started", { rows_done: 0, estimate_rows: 1000 });
    expect(await row()).toMatchObject({
      state: "running",
      tableName: "public.invoices",
      setList: "billing_email = email",
      whereClause: "billing_email IS NULL",
      keyColumns: ["id"],
      checkName: "backfill-invoices-billing-email",
      estimateRows: 1000,
      rowsDone: 0,
      control: "run",
      controlRequestedByEmail: null,
      startedAt,
      finishedAt: null,
    });
    await send("backfill.progress", {
      rows_done: 400,
      rows_written: 390,
      estimate_rows: 1000,
      rate_per_s: 200,
      eta_s: 3,
      replica_lag_ms: 15,
      throttle: null,
    });
    expect(await row()).toMatchObject({ state: "running", rowsDone: 400, rowsWritten: 390, ratePerS: 200, etaS: 3 });
    await send("backfill.paused", {
      rows_done: 400,
      cause: "replica_lag",
      reason: "The replica replays 2.4 s behind.",
      replica_lag_ms: 2400,
    });
    expect(await row()).toMatchObject({
      state: "paused",
      pauseCause: "replica_lag",
      throttle: "The replica replays 2.4 s behind.",
      replicaLagMs: 2400,
      ratePerS: 0,
    });
    await send("backfill.progress", { rows_done: 800, rows_written: 780, throttle: "Batch size lowered." });
    expect(await row()).toMatchObject({ state: "running", pauseCause: null, throttle: "Batch size lowered." });
    const finishedAt = await send("backfill.finished", { rows_done: 1000, rows_written: 975, duration_ms: 5000 });
    expect(await row()).toMatchObject({
      state: "finished",
      rowsDone: 1000,
      rowsWritten: 975,
      durationMs: 5000,
      finishedAt,
      throttle: null,
    });
    expect(await listBackfills(db, rolloutId)).toEqual([expect.objectContaining({ backfillId, state: "finished" })]);
  });

  it("a progress, pause or failure after the end changes nothing: a finished backfill is not resurrected", async () => {
    const { send, row } = await setup();
    await send("backfill.started");
    await send("backfill.finished", { rows_done: 1000, rows_written: 1000 });
    const finished = await row();
    await send("backfill.progress", { rows_done: 10, rows_written: 10 });
    await send("backfill.paused");
    await send("backfill.failed", { cancelled: false });
    expect(await row()).toEqual(finished);
  });

  it("a cancelled backfill stays cancelled, even when started again; a failed one resumes with a new start", async () => {
    const cancelled = await setup();
    await cancelled.send("backfill.started");
    await cancelled.send("backfill.failed", { cancelled: true, error: "Cancelled from the dashboard." });
    expect(await cancelled.row()).toMatchObject({ state: "cancelled", error: "Cancelled from the dashboard." });
    await cancelled.send("backfill.started", { rows_done: 250_000 });
    await cancelled.send("backfill.progress");
    expect((await cancelled.row()).state).toBe("cancelled");

    const failed = await setup();
    await failed.send("backfill.started");
    await failed.send("backfill.failed", { cancelled: false, error: "statement timeout", rows_done: 300 });
    expect(await failed.row()).toMatchObject({ state: "failed", error: "statement timeout", rowsDone: 300 });
    await failed.send("backfill.started", { rows_done: 300 });
    expect(await failed.row()).toMatchObject({ state: "running", error: null, finishedAt: null, rowsDone: 300 });
  });

  it("rows done never go back (an older progress received late), and a first event other than started makes the row", async () => {
    const { send, row } = await setup();
    await send("backfill.progress", { rows_done: 500, rows_written: 500 });
    expect(await row()).toMatchObject({ state: "running", rowsDone: 500, tableName: null });
    await send("backfill.progress", { rows_done: 300, rows_written: 300 });
    expect(await row()).toMatchObject({ rowsDone: 500, rowsWritten: 500 });
    await send("backfill.started", { rows_done: 0 });
    expect(await row()).toMatchObject({ rowsDone: 500, tableName: "public.invoices" });
  });

  it("counts beyond PostgreSQL's integer read back as numbers", async () => {
    const { send, row } = await setup();
    await send("backfill.started", { estimate_rows: 5_000_000_000, rows_done: 3_000_000_000 });
    expect(await row()).toMatchObject({ estimateRows: 5_000_000_000, rowsDone: 3_000_000_000 });
  });

  it("keeps the dashboard's control, with who asked and when", async () => {
    const { send, row, rolloutId, backfillId } = await setup();
    await send("backfill.started");
    const user = await upsertUser(db, { email: `${uniqueSlug("rm")}@example.com` });
    const at = new Date(T0 + 60_000);
    await setBackfillControl(db, { rolloutId, backfillId, control: "pause", userId: user.id, at });
    expect(await row()).toMatchObject({
      control: "pause",
      controlRequestedByEmail: user.email,
      controlRequestedAt: at,
    });
    // Events do not touch the control.
    await send("backfill.progress");
    expect((await row()).control).toBe("pause");
    expect(await findBackfill(db, rolloutId, crypto.randomUUID())).toBeNull();
  });

  it("the timeline shows started, paused, finished and failed, and leaves progress to the projection", async () => {
    const { send, rolloutId } = await setup();
    await send("backfill.started");
    for (let i = 0; i < 5; i++) await send("backfill.progress", { rows_done: i * 100 });
    await send("backfill.paused");
    await send("backfill.finished");
    const page = await timelinePage(db, rolloutId);
    expect(page.items.map((i) => i.what)).toEqual(["backfill.finished", "backfill.paused", "backfill.started"]);
    expect(page.items[2]!.data).toMatchObject({ table: "public.invoices", set: "billing_email = email" });
  });
});
