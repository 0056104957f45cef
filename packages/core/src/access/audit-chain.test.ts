import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { auditChainVerdict } from "../../test/builders.ts";
import {
  auditKeyWarning,
  formatKeyedFrom,
  KEYED_ALG,
  keyRecordDue,
  LEGACY_ALG,
  parseKeyedFrom,
  type AuditAnchors,
  type AuditLink,
  type KeyedFrom,
} from "./audit-chain.ts";

// A model of the table: a keyed row's hash matches only as the server wrote it (nobody else holds
// the key); a plain SHA-256 row's hash anyone can recompute, so a rewritten one always matches.
interface Row {
  seq: number;
  alg: string;
  content: string;
  prevHash: string;
  hash: string;
}
const hashOf = (alg: string, prev: string, content: string) =>
  createHash("sha256").update(`${alg}|${prev}|${content}`).digest("hex");

function writeChain(seqs: number[], legacy: number): Row[] {
  let prev = "";
  return seqs.map((seq, i) => {
    const alg = i < legacy ? LEGACY_ALG : KEYED_ALG;
    const content = `entry ${seq}`;
    const row = { seq, alg, content, prevHash: prev, hash: hashOf(alg, prev, content) };
    prev = row.hash;
    return row;
  });
}

/** The owner rewrites every row from index `from` with plain SHA-256 (editing one), then the server appends `more` keyed rows. */
function downgrade(rows: Row[], from: number, more: number): Row[] {
  const kept = rows.slice(0, from);
  let prev = kept.at(-1)?.hash ?? "";
  const rewritten = rows.slice(from).map((r, i) => {
    const content = i === 0 ? `${r.content} (edited)` : r.content;
    const row = { ...r, alg: LEGACY_ALG, content, prevHash: prev, hash: hashOf(LEGACY_ALG, prev, content) };
    prev = row.hash;
    return row;
  });
  const last = rewritten.at(-1)!.seq;
  const appended = Array.from({ length: more }, (_, i) => {
    const row = { seq: last + i + 1, alg: KEYED_ALG, content: `new ${i}`, prevHash: prev, hash: "" };
    row.hash = hashOf(KEYED_ALG, prev, row.content);
    prev = row.hash;
    return row;
  });
  return [...kept, ...rewritten, ...appended];
}

const links = (rows: Row[]): AuditLink[] =>
  rows.map((r) => ({ ...r, hashMatches: r.hash === hashOf(r.alg, r.prevHash, r.content) }));
const recordOf = (rows: Row[]): KeyedFrom => {
  const first = rows.find((r) => r.alg === KEYED_ALG)!;
  return { seq: first.seq, hash: first.hash };
};
const stored = (k: KeyedFrom) => ({ ...k, macValid: true });

const seqsArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 15 })
  .map((s) => s.sort((a, b) => a - b));
/** An honest chain: `legacy` unkeyed rows from before keyed hashing, then at least one keyed row. */
const honestArb = seqsArb.chain((seqs) =>
  fc
    .integer({ min: 0, max: Math.min(4, seqs.length - 1) })
    .map((legacy) => ({ rows: writeChain(seqs, legacy), legacy })),
);

describe("audit chain verdict", () => {
  it("an honest chain verifies, its unkeyed prefix counted as legacy, with the key record in the database and pinned", () => {
    fc.assert(
      fc.property(honestArb, fc.boolean(), ({ rows, legacy }, pin) => {
        const record = recordOf(rows);
        // An unkeyed prefix is vouched for by the operator's pin; without one only a keyed-from-the-start chain verifies.
        const anchors: AuditAnchors = { stored: stored(record), pinned: pin || legacy > 0 ? record : null };
        expect(auditChainVerdict(links(rows), anchors)).toEqual({
          intact: true,
          state: "intact",
          entries: rows.length,
          legacy,
          head: rows.at(-1)!.hash,
          keyedFrom: record,
        });
      }),
    );
  });

  it("finding 6: any rewrite of keyed entries to plain SHA-256 is detected, whether the key record is kept, removed or pinned", () => {
    fc.assert(
      fc.property(
        honestArb.chain(({ rows, legacy }) =>
          fc.record({
            rows: fc.constant(rows),
            from: fc.integer({ min: legacy, max: rows.length - 1 }),
            more: fc.integer({ min: 0, max: 3 }),
            keepStored: fc.boolean(),
            pin: fc.boolean(),
          }),
        ),
        ({ rows, from, more, keepStored, pin }) => {
          const record = recordOf(rows);
          const anchors: AuditAnchors = { stored: keepStored ? stored(record) : null, pinned: pin ? record : null };
          const verdict = auditChainVerdict(links(downgrade(rows, from, more)), anchors);
          expect(verdict.intact).toBe(false);
          if (keepStored || pin) expect(verdict).toMatchObject({ state: "downgraded", brokenAt: rows[from]!.seq });
        },
      ),
    );
  });

  it("finding 6: a full downgrade with the key record removed reads as downgraded, never as all legacy", () => {
    const rows = writeChain([1, 2, 3, 5, 8], 0);
    const verdict = auditChainVerdict(links(downgrade(rows, 0, 2)), { stored: null, pinned: null });
    expect(verdict).toMatchObject({ intact: false, state: "downgraded", brokenAt: 1 });
  });

  it("finding 6: the key record removed while keyed entries exist breaks the chain", () => {
    fc.assert(
      fc.property(seqsArb, (seqs) => {
        const rows = writeChain(seqs, 0);
        expect(auditChainVerdict(links(rows), { stored: null, pinned: null })).toMatchObject({
          intact: false,
          state: "broken",
          brokenAt: null,
        });
      }),
    );
  });

  it("an edited keyed entry breaks the chain at that entry", () => {
    fc.assert(
      fc.property(honestArb, fc.nat(), ({ rows, legacy }, pick) => {
        const i = legacy + (pick % (rows.length - legacy));
        const edited = rows.map((r, j) => (j === i ? { ...r, content: `${r.content} (edited)` } : r));
        const record = recordOf(rows);
        expect(auditChainVerdict(links(edited), { stored: stored(record), pinned: record })).toMatchObject({
          intact: false,
          state: "broken",
          brokenAt: rows[i]!.seq,
        });
      }),
    );
  });

  it("a key record that does not verify under the key, or disagrees with the pinned one, breaks the chain", () => {
    const rows = writeChain([1, 2, 3], 0);
    const record = recordOf(rows);
    expect(auditChainVerdict(links(rows), { stored: { ...record, macValid: false }, pinned: null })).toMatchObject({
      state: "broken",
      brokenAt: null,
    });
    expect(auditChainVerdict(links(rows), { stored: stored(record), pinned: { ...record, seq: 2 } })).toMatchObject({
      state: "broken",
    });
  });

  it("a chain emptied or cut before the pinned first keyed entry is broken", () => {
    const rows = writeChain([1, 2, 3, 4], 2);
    const record = recordOf(rows);
    expect(auditChainVerdict([], { stored: null, pinned: record })).toMatchObject({ state: "broken" });
    expect(auditChainVerdict(links(rows.slice(0, 2)), { stored: null, pinned: record })).toMatchObject({
      state: "broken",
    });
  });

  it("an empty chain with no record is intact; an unknown algorithm is not", () => {
    expect(auditChainVerdict([], { stored: null, pinned: null })).toMatchObject({ intact: true, entries: 0 });
    const [row] = writeChain([1], 0);
    expect(
      auditChainVerdict([{ ...row!, alg: "md5", hashMatches: true }], {
        stored: stored(recordOf([row!])),
        pinned: null,
      }),
    ).toMatchObject({ state: "broken", brokenAt: 1 });
  });

  it("reads and prints ROLLGATE_AUDIT_KEYED_FROM as N:hash", () => {
    const k = { seq: 215, hash: "a".repeat(64) };
    expect(parseKeyedFrom(formatKeyedFrom(k))).toEqual(k);
    for (const bad of ["215", `215:${"A".repeat(64)}`, `x:${"a".repeat(64)}`, `215:${"a".repeat(63)}`])
      expect(parseKeyedFrom(bad)).toBeNull();
  });
});

describe("key record due", () => {
  it("names a keyed first entry, or the keyed entry the pin names, and nothing unkeyed", () => {
    const k = { seq: 4, hash: "b".repeat(64) };
    expect(keyRecordDue({ ...k, alg: KEYED_ALG }, null)).toEqual(k);
    expect(keyRecordDue({ ...k, alg: KEYED_ALG }, k)).toEqual(k);
    expect(keyRecordDue({ ...k, alg: KEYED_ALG }, { ...k, hash: "c".repeat(64) })).toBeNull();
    expect(keyRecordDue({ ...k, alg: LEGACY_ALG }, null)).toBeNull();
    expect(keyRecordDue(null, k)).toBeNull();
  });
});

describe("audit key warning", () => {
  it("warns when the audit key derives from the public development key, loudest in production", () => {
    expect(auditKeyWarning({ auditKeySet: false, secretKeyIsDevelopmentKey: true, production: true })).toMatchObject({
      level: "error",
      message: expect.stringMatching(/audit key is public/),
    });
    expect(auditKeyWarning({ auditKeySet: false, secretKeyIsDevelopmentKey: true, production: false })?.level).toBe(
      "warn",
    );
    expect(auditKeyWarning({ auditKeySet: true, secretKeyIsDevelopmentKey: true, production: true })).toBeNull();
    expect(auditKeyWarning({ auditKeySet: false, secretKeyIsDevelopmentKey: false, production: true })).toBeNull();
  });
});
