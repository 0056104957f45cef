import type { EventBody } from "@rollgate/core/contract/events";
import { evaluateGate } from "@rollgate/core/gate";
import { mapEvent, type MappedRolloutEvent } from "@rollgate/core/lifecycle";
import { defaultPolicy } from "@rollgate/core/policy";
import { SAMPLE_DATA } from "@rollgate/core/testing/samples";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { loadGateFacts } from "../src/queries/gate-facts.ts";
import { listRehearsals } from "../src/queries/rehearsals.ts";
import { findRollout } from "../src/queries/rollouts.ts";
import { recordEvent } from "../src/queries/signals.ts";
import { appDeployments, rollbackRehearsals, rollouts } from "../src/schema/index.ts";
import { makeRelease } from "./fixtures.ts";
import { testDatabase } from "./harness.ts";

// rollback.rehearsed: written by recordEvent (fact kind "rehearsal") to rollback_rehearsals, read
// back by eligibility (every rehearsal of an environment) and by the gate's facts (the previous
// version's newest rehearsal of the rollout's contract checksum, in the same one statement).

const { db } = await testDatabase();
const T0 = Date.parse("2026-12-01T10:00:00Z");
const CONTRACT = "c".repeat(64);
const OTHER = "d".repeat(64);
const sample = SAMPLE_DATA["rollback.rehearsed"];

async function setup() {
  const made = await makeRelease(db);
  const env = (name: string) => made.environments.find((e) => e.name === name)!;
  const rolloutOf = (name: string) => made.rollouts.find((r) => r.environmentId === env(name).id)!;
  for (const r of made.rollouts)
    await db.update(rollouts).set({ contractChecksum: CONTRACT }).where(eq(rollouts.id, r.id));
  /** Sends one rollback.rehearsed through core's mapping and db's recordEvent, as ingest does. */
  const send = async (name: string, seconds: number, patch: Partial<typeof sample> = {}) => {
    const receivedAt = new Date(T0 + seconds * 1000);
    const body = {
      type: "rollback.rehearsed",
      service: made.service.slug,
      environment: name,
      release: made.release.key,
      occurred_at: receivedAt.toISOString(),
      data: { ...sample, contract_checksum: CONTRACT, ...patch },
    } as EventBody;
    const mapped = mapEvent(body, receivedAt) as MappedRolloutEvent;
    await db.transaction((tx) =>
      recordEvent(tx, "rollback.rehearsed", mapped.fact, {
        eventId: crypto.randomUUID(),
        rolloutId: rolloutOf(name).id,
        environmentId: env(name).id,
        occurredAt: receivedAt,
        receivedAt,
        deliveryId: null,
        stateBefore: "verifying",
        stateAfter: "verifying",
        data: mapped.data,
      }),
    );
  };
  const deploy = (name: string, version: string, seconds: number) =>
    db.insert(appDeployments).values({
      environmentId: env(name).id,
      rolloutId: rolloutOf(name).id,
      kind: "deployed",
      version,
      manifest: null,
      occurredAt: new Date(T0 + seconds * 1000),
    });
  const gate = async (name: string, at: number) => {
    const row = (await findRollout(db, { service: made.service.slug, environment: name, release: made.release.key }))!;
    const facts = await loadGateFacts(db, row, new Date(T0 + at * 1000), 0);
    const check = evaluateGate(
      facts,
      { ...defaultPolicy(name), requireRehearsal: true },
      new Date(T0 + at * 1000),
    ).checks.find((c) => c.id === "rehearsal")!;
    return { facts, check };
  };
  return { ...made, env, send, deploy, gate };
}

describe("rollback_rehearsals", () => {
  it("keeps each rehearsal with its counts and proofs, by environment, newest first", async () => {
    const { env, send } = await setup();
    await send("staging", 1);
    const big = 2 ** 40;
    await send("staging", 2, { statements: big, passed: big, unverifiable: 0, proofs: [], proof_count: 0 });
    await send("production", 3, { version: "1.8.0" });
    const staging = await listRehearsals(db, env("staging").id);
    expect(staging).toHaveLength(2);
    expect(staging[0]).toMatchObject({ statements: big, passed: big, proofCount: 0, proofs: [] });
    expect(staging[1]).toEqual({
      version: "1.9.0",
      contractChecksum: CONTRACT,
      source: "observed",
      statements: 12,
      passed: 10,
      noise: 0,
      unverifiable: 1,
      proofCount: 1,
      proofs: sample.proofs,
      receivedAt: new Date(T0 + 1000),
    });
    expect((await listRehearsals(db, env("production").id)).map((r) => r.version)).toEqual(["1.8.0"]);
  });

  it("the gate's facts carry the previous version's deciding rehearsal of this contract checksum (a proof stays), and nothing else", async () => {
    const { send, deploy, gate } = await setup();
    // Nothing deployed before this release: nothing to roll back to.
    expect((await gate("staging", 1)).check.status).toBe("pass");
    await deploy("staging", "1.9.0", 1);
    await deploy("staging", "2.0.0", 2);
    let { facts, check } = await gate("staging", 3);
    expect(facts.rehearsal).toEqual({ previousVersion: "1.9.0", newest: null });
    expect(check.status).toBe("pending");
    // Another checksum, another version, another environment: none counts.
    await send("staging", 4, { contract_checksum: OTHER });
    await send("staging", 5, { version: "1.8.0" });
    await send("production", 6);
    expect((await gate("staging", 7)).check.status).toBe("pending");
    await send("staging", 8);
    ({ facts, check } = await gate("staging", 9));
    expect(facts.rehearsal?.newest).toMatchObject({ version: "1.9.0", contractChecksum: CONTRACT, proofCount: 1 });
    expect(check.status).toBe("fail");
    expect(check.message).toContain(sample.proofs[0]!.error);
    // A rehearsal received after `now` is not yet known; a newer clean one does not hide the proof.
    await send("staging", 20, { passed: 11, proofs: [], proof_count: 0 });
    expect((await gate("staging", 10)).check.status).toBe("fail");
    ({ facts, check } = await gate("staging", 21));
    expect(check.status).toBe("fail");
    expect(facts.rehearsal?.newest).toMatchObject({ proofCount: 1 });
  });

  it("refuses a source the wire does not know (the table's CHECK)", async () => {
    const { env, rollouts: outs } = await setup();
    await expect(
      db.insert(rollbackRehearsals).values({
        environmentId: env("staging").id,
        rolloutId: outs[0]!.id,
        version: "1",
        contractChecksum: CONTRACT,
        source: "guess" as "file",
        statements: 0,
        passed: 0,
        noise: 0,
        unverifiable: 0,
        proofCount: 0,
        proofs: [],
        receivedAt: new Date(T0),
      }),
    ).rejects.toThrow();
  });
});
