import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { auditChainVerdict } from "../../../test/builders.ts";
import {
  auditKeyWarning,
  KEYED_ALG,
  keyRecordDue,
  LEGACY_ALG,
  type AuditAnchors,
  type AuditLink,
} from "../audit-chain.ts";
import type { AUDIT_ROWS } from "./audit.ts";

// A chain of five keyed entries as the server wrote it, and the key record written with the first.
const hashOf = (alg: string, prev: string, content: string) =>
  createHash("sha256").update(`${alg}|${prev}|${content}`).digest("hex");
interface Row {
  seq: number;
  alg: string;
  content: string;
  prevHash: string;
}
function relink(rows: Row[], matches: (r: Row) => boolean = () => true): AuditLink[] {
  let prev = "";
  return rows.map((r) => {
    const hash = hashOf(r.alg, prev, r.content);
    const link = { seq: r.seq, alg: r.alg, prevHash: prev, hash, hashMatches: matches(r) };
    prev = hash;
    return link;
  });
}
const written = relink([1, 2, 3, 5, 8].map((seq) => ({ seq, alg: KEYED_ALG, content: `entry ${seq}`, prevHash: "" })));
const record = { seq: written[0]!.seq, hash: written[0]!.hash };
const kept: AuditAnchors = { stored: { ...record, macValid: true }, pinned: null };
/** The owner's rewrite: every entry plain SHA-256, one edited, the chain recomputed (anyone can). */
const downgraded = relink(
  written.map((l) => ({
    seq: l.seq,
    alg: LEGACY_ALG,
    content: l.seq === 3 ? "forged" : `entry ${l.seq}`,
    prevHash: "",
  })),
);

const WALKS: Record<keyof typeof AUDIT_ROWS, () => void> = {
  downgradedPastRecord: () =>
    expect(auditChainVerdict(downgraded, kept)).toMatchObject({ intact: false, state: "downgraded", brokenAt: 1 }),
  downgradedWithoutRecord: () =>
    expect(auditChainVerdict(downgraded, { stored: null, pinned: null })).toMatchObject({
      intact: false,
      state: "downgraded",
    }),
  recordRemoved: () => {
    expect(auditChainVerdict(written, { stored: null, pinned: null })).toMatchObject({
      intact: false,
      state: "broken",
      reason: expect.stringMatching(/key record is missing/),
    });
    // Written again only from a keyed first entry: the same record, never one for a downgraded chain.
    expect(keyRecordDue({ ...written[0]!, alg: KEYED_ALG }, null)).toEqual(record);
    expect(keyRecordDue({ ...downgraded[0]!, alg: LEGACY_ALG }, null)).toBeNull();
  },
  recordForged: () =>
    expect(
      auditChainVerdict(downgraded, { stored: { seq: 100, hash: "f".repeat(64), macValid: false }, pinned: null }),
    ).toMatchObject({ intact: false, state: "broken", reason: expect.stringMatching(/does not verify/) }),
  entryEdited: () =>
    // The row's content changed but the owner cannot recompute a keyed hash: it no longer matches.
    expect(
      auditChainVerdict(
        written.map((l) => (l.seq === 3 ? { ...l, hashMatches: false } : l)),
        kept,
      ),
    ).toMatchObject({ intact: false, state: "broken", brokenAt: 3 }),
  developmentKey: () =>
    expect(auditKeyWarning({ auditKeySet: false, secretKeyIsDevelopmentKey: true, production: true })).toMatchObject({
      level: "error",
      message: expect.stringMatching(/audit key is public/),
    }),
};

describe("evidence: audit chain", () => {
  it("the honest chain the rows start from verifies", () => {
    expect(auditChainVerdict(written, kept)).toMatchObject({ intact: true, legacy: 0 });
  });
  for (const id of Object.keys(WALKS)) it(id, WALKS[id as keyof typeof WALKS]);
});
