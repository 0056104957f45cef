// The audit chain's verdict, decided from facts the database's owner cannot forge without the
// audit key. Entries hashed with plain SHA-256 (`sha256`, before migration 0003) prove nothing by
// themselves: anyone can recompute them. So an unkeyed entry is accepted only before the first
// keyed entry that the key record names — a record written with that first keyed entry, MACed
// with the audit key, and kept outside the chain's reach too (the server's log at every start,
// every evidence bundle, and the operator's ROLLGATE_AUDIT_KEYED_FROM). A record that is missing
// never reads as "everything is legacy": without one, no unkeyed entry is accepted.

export const KEYED_ALG = "hmac-sha256";
export const LEGACY_ALG = "sha256";

/** One entry as the verifier sees it: what the row says, and whether its hash is the one its algorithm gives. */
export interface AuditLink {
  readonly seq: number;
  readonly alg: string;
  readonly prevHash: string;
  readonly hash: string;
  /** The stored hash equals the one recomputed from the entry (with the audit key when `alg` is keyed). */
  readonly hashMatches: boolean;
}

/** The key record's statement: keyed hashing began at entry `seq`, whose hash is `hash`. */
export interface KeyedFrom {
  readonly seq: number;
  readonly hash: string;
}

export interface AuditAnchors {
  /** The key record the database holds, and whether its MAC verifies under the audit key; null when it holds none. */
  readonly stored: (KeyedFrom & { readonly macValid: boolean }) | null;
  /** The operator's copy (ROLLGATE_AUDIT_KEYED_FROM), which the database cannot reach; null when unset. */
  readonly pinned: KeyedFrom | null;
}

/** `downgraded`: unkeyed entries where the key record says entries were keyed, or with no record to vouch for them. */
export type AuditChainVerdict =
  | {
      readonly intact: true;
      readonly state: "intact";
      readonly entries: number;
      /** Unkeyed entries before the first keyed one: they only prove what the database says. */
      readonly legacy: number;
      readonly head: string | null;
      readonly keyedFrom: KeyedFrom | null;
    }
  | {
      readonly intact: false;
      readonly state: "broken" | "downgraded";
      readonly entries: number;
      /** The first entry that does not fit; null when the key record itself is at fault. */
      readonly brokenAt: number | null;
      readonly reason: string;
    };

/** `N:hash` (ROLLGATE_AUDIT_KEYED_FROM, as the start-up log line and evidence bundles print it); null when malformed. */
export function parseKeyedFrom(text: string): KeyedFrom | null {
  const match = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text.trim());
  return match ? { seq: Number(match[1]), hash: match[2]! } : null;
}

export const formatKeyedFrom = (k: KeyedFrom): string => `${k.seq}:${k.hash}`;

/** The bytes the key record's MAC covers. */
export const keyRecordMessage = (k: KeyedFrom): string => `rollgate-audit-key-record:v1\n${k.seq}\n${k.hash}`;

function anchorProblem(anchors: AuditAnchors): string | null {
  const { stored, pinned } = anchors;
  if (stored && !stored.macValid)
    return "the key record in the database does not verify under the audit key (forged, or written with another key)";
  if (stored && pinned && (stored.seq !== pinned.seq || stored.hash !== pinned.hash))
    return `the database's key record names entry ${stored.seq}, but ROLLGATE_AUDIT_KEYED_FROM names entry ${pinned.seq}`;
  return null;
}

/**
 * Walks the chain in order: `add` each entry (it returns a verdict at the first entry that does
 * not fit, else null), then `finish`. Pure: the caller reads the rows and recomputes each hash.
 */
export function auditChainCheck(anchors: AuditAnchors) {
  const authority: KeyedFrom | null = anchors.pinned ?? anchors.stored;
  const problem = anchorProblem(anchors);
  let entries = 0;
  let legacy = 0;
  let prevHash = "";
  let firstKeyed: KeyedFrom | null = null;
  const fail = (state: "broken" | "downgraded", brokenAt: number | null, reason: string): AuditChainVerdict => ({
    intact: false,
    state,
    entries,
    brokenAt,
    reason,
  });

  function add(link: AuditLink): AuditChainVerdict | null {
    if (problem) return fail("broken", null, problem);
    entries += 1;
    const { seq } = link;
    if (link.prevHash !== prevHash) return fail("broken", seq, "it does not point to the entry before it");
    if (link.alg === LEGACY_ALG) {
      if (firstKeyed) return fail("downgraded", seq, "it is unkeyed but follows keyed entries");
      if (!authority)
        return fail(
          "downgraded",
          seq,
          "it is unkeyed and no key record vouches for unkeyed entries: the record was removed or the chain rewritten with plain SHA-256 (if these entries truly predate keyed hashing, set ROLLGATE_AUDIT_KEYED_FROM)",
        );
      if (seq >= authority.seq)
        return fail(
          "downgraded",
          seq,
          `it is unkeyed, but the key record says keyed hashing began at entry ${authority.seq}`,
        );
      legacy += 1;
    } else if (link.alg === KEYED_ALG) {
      if (!firstKeyed) {
        firstKeyed = { seq, hash: link.hash };
        if (authority && seq < authority.seq)
          return fail(
            "broken",
            seq,
            `it is keyed, but the key record says keyed hashing began at entry ${authority.seq}`,
          );
        if (authority && seq > authority.seq)
          return fail(
            "broken",
            seq,
            `entry ${authority.seq}, where the key record says keyed hashing began, is missing`,
          );
        if (authority && link.hash !== authority.hash)
          return fail("broken", seq, "it is not the entry the key record names (its hash differs)");
      }
    } else return fail("broken", seq, `its algorithm "${link.alg}" is not one Rollgate writes`);
    if (!link.hashMatches)
      return fail(
        "broken",
        seq,
        link.alg === KEYED_ALG ? "its content does not match its keyed hash" : "its content does not match its hash",
      );
    prevHash = link.hash;
    return null;
  }

  function finish(): AuditChainVerdict {
    if (problem) return fail("broken", null, problem);
    if (authority && !firstKeyed)
      return fail("broken", null, `entry ${authority.seq}, where the key record says keyed hashing began, is missing`);
    if (firstKeyed && !anchors.stored)
      return fail(
        "broken",
        null,
        "the key record is missing from the database though keyed entries exist: it was removed",
      );
    return { intact: true, state: "intact", entries, legacy, head: prevHash || null, keyedFrom: firstKeyed };
  }

  return { add, finish };
}

/**
 * The key record the server may write when the database holds none: `candidate` is the chain's
 * first entry, or, with a pin, the entry at the pinned sequence number. Only a keyed candidate
 * (and the one the pin names) qualifies, so a record that was removed comes back naming the same
 * first entry, never one that vouches for unkeyed entries nobody pinned.
 */
export function keyRecordDue(
  candidate: { readonly seq: number; readonly hash: string; readonly alg: string } | null,
  pinned: KeyedFrom | null,
): KeyedFrom | null {
  if (!candidate || candidate.alg !== KEYED_ALG) return null;
  if (pinned && (candidate.seq !== pinned.seq || candidate.hash !== pinned.hash)) return null;
  return { seq: candidate.seq, hash: candidate.hash };
}

/** Where the audit key comes from, and whether that makes it public. */
export interface AuditKeySource {
  /** ROLLGATE_AUDIT_KEY is set. */
  readonly auditKeySet: boolean;
  /** ROLLGATE_SECRET_KEY is the built-in development key, which the source code publishes. */
  readonly secretKeyIsDevelopmentKey: boolean;
  readonly production: boolean;
}

/**
 * The warning to log at every start and show on /admin/audit when anyone can compute the audit
 * key (it derives from the development key): then anyone can write a chain that verifies.
 */
export function auditKeyWarning(source: AuditKeySource): { level: "error" | "warn"; message: string } | null {
  if (source.auditKeySet || !source.secretKeyIsDevelopmentKey) return null;
  return {
    level: source.production ? "error" : "warn",
    message:
      "The audit key is public: it derives from the built-in development key (ROLLGATE_SECRET_KEY unset), so anyone can write an audit chain that verifies. Set ROLLGATE_AUDIT_KEY (or ROLLGATE_SECRET_KEY) before relying on the audit log.",
  };
}
