import { describe, expect, it } from "vitest";
import { SAMPLE_DATA } from "../../test/samples.ts";
import { eventBodySchema, type EventBody, type EventData, type EventType } from "../contract/events.ts";
import { EVENT_MAPPINGS, mapEvent } from "./map-event.ts";

const RECEIVED = new Date("2026-11-26T12:00:00Z");

/** One schema-valid `data` for every type of the wire contract: the shared samples, with the fields these tests read. */
const SAMPLES: { [K in EventType]: EventData<K> } = {
  ...SAMPLE_DATA,
  "migration.started": { ...SAMPLE_DATA["migration.started"], lease_id: "0b7f7c5e-8f7e-4b7a-9a43-3f1c2f1e9d10" },
  "migration.succeeded": { ...SAMPLE_DATA["migration.succeeded"], phase: "contract", name: "c" },
  "migration.failed": {
    ...SAMPLE_DATA["migration.failed"],
    statements: [{ index: 0, line: 1, duration_ms: 3, retries: 2 }],
  },
  "app.rolled_back": { version: "1.9.0" },
  "slo.snapshot": { ...SAMPLE_DATA["slo.snapshot"], latency_p99_ms: 120 },
};

/** The types the wire schema itself tells apart (not the registry's keys). */
const wireTypes = (
  eventBodySchema as unknown as { options: Array<{ shape: { type: { value: EventType } } }> }
).options.map((option) => option.shape.type.value);

function body(type: EventBody["type"]): EventBody {
  return eventBodySchema.parse({
    type,
    service: "billing",
    environment: "staging",
    release: "r1",
    occurred_at: "2026-11-26T11:00:00Z",
    data: SAMPLES[type],
  });
}

/** The mapping of a sample of `type`, or null for an environment's event. */
function rolloutMapping(type: EventBody["type"]) {
  const mapped = mapEvent(body(type), RECEIVED);
  return mapped.scope === "rollout" ? mapped : null;
}

describe("mapEvent", () => {
  it("maps every event type of the wire contract, and nothing else", () => {
    expect(Object.keys(EVENT_MAPPINGS).sort()).toEqual([...wireTypes].sort());
  });

  it.each(wireTypes)("maps %s to a domain event of its own type, timed by receipt", (type) => {
    const mapped = mapEvent(body(type), RECEIVED);
    if (type.startsWith("incident.")) return expect(mapped).toMatchObject({ scope: "environment", body: { type } });
    if (mapped.scope !== "rollout") throw new Error("expected a rollout event");
    expect(mapped.event).toMatchObject({ type, occurredAt: RECEIVED });
    expect(mapped.body.type).toBe(type);
  });

  it("names the row each event adds", () => {
    const facts = Object.fromEntries(
      wireTypes.map((type) => [
        type,
        rolloutMapping(type) ? (rolloutMapping(type)!.fact?.kind ?? null) : "environment",
      ]),
    );
    expect(facts).toEqual({
      "release.created": null,
      "migration.started": "migration_started",
      "migration.succeeded": "migration_finished",
      "migration.failed": "migration_finished",
      "app.deployed": "deployment",
      "app.rolled_back": "deployment",
      "flag.changed": "flag_change",
      "slo.snapshot": "slo_snapshot",
      "backup.verified": "backup",
      "incident.opened": "environment",
      "incident.resolved": "environment",
      "backfill.started": "backfill",
      "backfill.progress": "backfill",
      "backfill.paused": "backfill",
      "backfill.finished": "backfill",
      "backfill.failed": "backfill",
      "database.inspected": "inspection",
      "rollback.rehearsed": "rehearsal",
    });
  });

  it("maps a backfill's events to its row's step, changing nothing of the rollout; the timeline keeps their data", () => {
    const id = "6f1c2a7e-1b8e-4c4e-9a51-0d2f3c4b5a69";
    const started = mapEvent(body("backfill.started"), RECEIVED);
    expect(started).toMatchObject({
      event: { type: "backfill.started", occurredAt: RECEIVED },
      fact: {
        kind: "backfill",
        step: "started",
        backfillId: id,
        table: "public.invoices",
        where: "billing_email IS NULL",
      },
      alwaysAudited: false,
    });
    expect(rolloutMapping("backfill.progress")!.fact).toMatchObject({
      step: "progress",
      rowsDone: 250_000,
      ratePerS: 12_500.5,
      throttle: null,
    });
    expect(rolloutMapping("backfill.paused")!.fact).toMatchObject({ step: "paused", cause: "replica_lag" });
    expect(rolloutMapping("backfill.failed")!.fact).toMatchObject({ step: "failed", cancelled: true });
    const finished = mapEvent(body("backfill.finished"), RECEIVED);
    expect(finished).toMatchObject({
      fact: { step: "finished", durationMs: 95_000 },
      data: SAMPLES["backfill.finished"],
    });
  });

  it("carries the wire fields into the fact and the domain event", () => {
    expect(mapEvent(body("slo.snapshot"), RECEIVED)).toMatchObject({
      fact: { availability: 99.9, errorBudgetRemaining: 0.5, burnRate: 1, latencyP99Ms: 120 },
      data: SAMPLES["slo.snapshot"],
    });
    expect(mapEvent(body("migration.started"), RECEIVED)).toMatchObject({
      event: { phase: "expand", name: "e", checksum: SAMPLES["migration.started"].checksum },
      fact: { leaseId: SAMPLES["migration.started"].lease_id },
    });
    expect(mapEvent(body("migration.succeeded"), RECEIVED)).toMatchObject({
      fact: {
        status: "succeeded",
        phase: "contract",
        durationMs: 10,
        exitCode: 0,
        logTail: "ok",
        logUrl: "https://ci.example.com/job/1",
      },
    });
    expect(mapEvent(body("migration.failed"), RECEIVED)).toMatchObject({
      fact: { status: "failed", statements: [{ retries: 2 }] },
    });
    expect(mapEvent(body("app.deployed"), RECEIVED)).toMatchObject({
      event: { version: "2.0.0", manifest: ["users.id", "public.users.email"] },
      fact: { deployment: "deployed" },
    });
    expect(mapEvent(body("app.rolled_back"), RECEIVED)).toMatchObject({
      event: { version: "1.9.0", manifest: null },
      fact: { deployment: "rolled_back", manifest: null },
    });
    expect(mapEvent(body("flag.changed"), RECEIVED)).toMatchObject({
      event: { percent: 50 },
      fact: { flag: "f", percent: 50 },
    });
    expect(mapEvent(body("backup.verified"), RECEIVED)).toMatchObject({ fact: { backupId: "b", restoreTested: true } });
  });

  it("keeps a digest of an inspection on the timeline and the whole inspection for its own table", () => {
    const mapped = mapEvent(body("database.inspected"), RECEIVED);
    expect(mapped).toMatchObject({
      data: { window_start: false, statements: 1, expand_drift: 0, sessions: 0, duration_ms: 12 },
      fact: { inspection: { usage: { users: "=3,email=3" } } },
    });
  });

  it("maps a rehearsal to its own row with every proof, and keeps counts and the first proof on the timeline", () => {
    const mapped = mapEvent(body("rollback.rehearsed"), RECEIVED);
    const sample = SAMPLES["rollback.rehearsed"];
    expect(mapped).toMatchObject({
      event: { type: "rollback.rehearsed", occurredAt: RECEIVED },
      fact: {
        kind: "rehearsal",
        version: "1.9.0",
        contractChecksum: sample.contract_checksum,
        statements: 12,
        passed: 10,
        unverifiable: 1,
        proofCount: 1,
        proofs: sample.proofs,
      },
      data: {
        version: "1.9.0",
        proof_count: 1,
        first_proof: { statement: sample.proofs[0]!.statement, error: 'column "email" does not exist' },
      },
      alwaysAudited: false,
    });
  });

  it("chains release.created in the audit log even when nothing changes, and no other type", () => {
    const always = wireTypes.filter((type) => rolloutMapping(type)?.alwaysAudited);
    expect(always).toEqual(["release.created"]);
  });
});
