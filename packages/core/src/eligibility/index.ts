// "Can I roll the app back to version V and still read my data?" — answered from what V
// reads (its deploy manifest) and what contract migrations removed since V last ran.

import type { RehearsalProof } from "../contract/rehearsal.ts";
import { utcText } from "../format.ts";
import type { RemovedObject, SqlAnalysis } from "../sql/types.ts";

export interface DeploymentFact {
  version: string;
  deployedAt: Date;
  /** `table`, `table.column` or `schema.table.column`; null when the deploy sent none. */
  manifest: string[] | null;
}

export interface ContractFact {
  release: string;
  migrationName: string;
  ranAt: Date;
  /** The SHA-256 of the script that ran: only a rehearsal against this checksum counts for it. */
  checksum?: string;
  objects: RemovedObject[];
  /** Why Rollgate cannot know everything this contract removed (no script text, unparsable or dynamic SQL); empty when it can. */
  unreadable?: string[];
}

/** Findings that mean the analyser could not see every object a script removes. */
const UNREADABLE_RULES = new Set(["syntax-error", "dynamic-sql", "unverifiable-code"]);

/**
 * The text of the script a run ran, or null when Rollgate holds none with the run's checksum: a
 * text stored under another checksum (a recovery's fix replaced it, or it was never sent) is
 * not what ran, and judging the run by it could call a rollback SAFE that is not.
 */
export function scriptThatRan(
  run: { checksum: string },
  held: { sql: string | null; checksum: string | null },
): string | null {
  return held.sql !== null && held.checksum === run.checksum ? held.sql : null;
}

/** A contract run as eligibility sees it: what its script removed, and what in it could not be read. */
export function contractFact(
  run: { release: string; migrationName: string; ranAt: Date; checksum?: string },
  analysis: SqlAnalysis | null,
): ContractFact {
  if (!analysis) return { ...run, objects: [], unreadable: ["Rollgate has no text of this contract script"] };
  const unreadable = analysis.findings.filter((f) => UNREADABLE_RULES.has(f.rule)).map((f) => f.message);
  return { ...run, objects: analysis.objects.map(({ statement: _statement, ...object }) => object), unreadable };
}

export type Verdict = "SAFE" | "UNSAFE" | "UNKNOWN";

export interface EligibilityReason {
  kind:
    | "removed"
    | "unreadable_contract"
    | "no_manifest"
    | "never_deployed"
    | "no_contract"
    /** A rehearsal's statement worked after expand and fails after this contract. */
    | "rehearsal_proof"
    /** A rehearsal of this contract's script found no statement that fails. */
    | "rehearsal_passed";
  message: string;
  release?: string;
  migration?: string;
  object?: string;
  at?: Date;
  /** A proof: the statement, PostgreSQL's error (and SQLSTATE), and its call count when observed. */
  proof?: RehearsalProof;
}

/** How eligibility knows what the version does: rehearsed, observed, declared, or not at all. */
export type EligibilityBasis =
  | {
      source: "rehearsed";
      /** Contracts since the deploy that a rehearsal of this version covered, of how many. */
      covered: number;
      contracts: number;
      /** Summed over the newest rehearsal of each covered contract. */
      statements: number;
      proofs: number;
      unverifiable: number;
      /** What decided the contracts no rehearsal covered; null when rehearsals covered them all. */
      rest: "declared" | "observed" | "unknown" | null;
    }
  | { source: "observed"; from: Date; to: Date }
  | { source: "declared" }
  | { source: "unknown" };

export interface Eligibility {
  verdict: Verdict;
  targetVersion: string;
  reasons: EligibilityReason[];
  /** Which manifest decided: declared in `app.deployed`, or observed by inspections (with the span they cover). */
  manifest?: { source: "declared" } | { source: "observed"; from: Date; to: Date };
  /** Which way Rollgate knows; absent when nothing needed knowing (no contract ran since the deploy). */
  basis?: EligibilityBasis;
}

/** A `rollback.rehearsed` as eligibility and the gate read it (db's `rollback_rehearsals`). */
export interface RehearsalFact {
  version: string;
  contractChecksum: string;
  source: "observed" | "file";
  statements: number;
  passed: number;
  noise: number;
  unverifiable: number;
  proofCount: number;
  proofs: RehearsalProof[];
  receivedAt: Date;
}

/**
 * The rehearsal of `version` against exactly `checksum` that decides, or null: a rehearsal of
 * another script proves nothing about this one (a fix replaced it, or it was rehearsed before an
 * edit). A proof stays: the same version's statements against the same script cannot stop
 * failing, so the newest rehearsal with a proof decides over any clean one (a clean report sent
 * after a proof — fewer statements, a made-up file — must not hide it); without a proof, the newest.
 */
export function rehearsalFor(
  rehearsals: readonly RehearsalFact[] | undefined,
  version: string,
  checksum: string | null | undefined,
): RehearsalFact | null {
  if (!checksum) return null;
  let decides: RehearsalFact | null = null;
  for (const r of rehearsals ?? []) {
    if (r.version !== version || r.contractChecksum !== checksum) continue;
    if (!decides || proved(r) > proved(decides) || (proved(r) === proved(decides) && r.receivedAt > decides.receivedAt))
      decides = r;
  }
  return decides;
}

/** 1 for a rehearsal with a proof, 0 for a clean one: proofs rank first. */
function proved(r: RehearsalFact): number {
  return r.proofCount > 0 || r.proofs.length > 0 ? 1 : 0;
}

/** A rehearsal that is evidence of SAFE: no proof, and at least one statement that passed. */
export function rehearsalPassed(r: RehearsalFact): boolean {
  return r.proofCount === 0 && r.proofs.length === 0 && r.passed > 0;
}

/** A proof as one sentence: the statement, PostgreSQL's error, and how often the version ran it. */
export function proofText(p: RehearsalProof): string {
  const calls = p.calls !== undefined ? `, called ${p.calls} time(s)` : "";
  const code = p.sqlstate ? ` (SQLSTATE ${p.sqlstate})` : "";
  return `${p.statement} fails at ${p.step} with: ${p.error}${code}${calls}`;
}

/** What inspections saw a version use: `schema.table` and `schema.table.column`, fully qualified. */
export interface ObservedManifestFact {
  version: string;
  entries: string[];
  from: Date;
  to: Date;
}

/**
 * SAFE, UNSAFE or UNKNOWN for rolling back to `targetVersion`, with reasons that name the contract.
 *
 * Rehearsals (`rollback.rehearsed`) count for a contract only when they rehearsed this version
 * against the very script that ran (its checksum). A rehearsal's proof makes the answer UNSAFE
 * whatever the name match says. A passing rehearsal is evidence of SAFE for the contract it
 * covered, but it never overrules a name match that found the version reading what the contract
 * removed: the rehearsed statements may not be all the version runs (a file, or observations
 * that missed a rare path), while the manifest names what it reads. So the safer answer wins:
 * a rehearsal can only add UNSAFE, or settle a contract the manifest could not (no manifest, or
 * a script the analyser cannot read).
 */
export function rollbackEligibility(input: {
  targetVersion: string;
  deployments: DeploymentFact[];
  contracts: ContractFact[];
  observed?: ObservedManifestFact[];
  rehearsals?: readonly RehearsalFact[];
}): Eligibility {
  const { targetVersion } = input;
  const deploys = input.deployments.filter((d) => d.version === targetVersion);
  if (deploys.length === 0)
    return {
      verdict: "UNKNOWN",
      targetVersion,
      reasons: [
        {
          kind: "never_deployed",
          message: `Version ${targetVersion} was never deployed to this environment, so Rollgate does not know what it reads.`,
        },
      ],
      basis: { source: "unknown" },
    };
  // The latest deploy counts: a contract before it already ran under this version.
  const last = deploys.reduce((a, b) => (b.deployedAt > a.deployedAt ? b : a));
  const since = input.contracts
    .filter((c) => c.ranAt > last.deployedAt)
    .sort((a, b) => a.ranAt.getTime() - b.ranAt.getTime());
  if (since.length === 0)
    return {
      verdict: "SAFE",
      targetVersion,
      reasons: [
        {
          kind: "no_contract",
          message: `No contract migration ran since ${targetVersion} was last deployed (${utcText(last.deployedAt)}).`,
        },
      ],
    };
  // A declared manifest first; what inspections observed otherwise.
  const declared = last.manifest ?? deploys.find((d) => d.manifest)?.manifest ?? null;
  const observed = declared ? undefined : input.observed?.find((o) => o.version === targetVersion);
  const manifest: Eligibility["manifest"] = observed
    ? { source: "observed", from: observed.from, to: observed.to }
    : declared
      ? { source: "declared" }
      : undefined;
  const source = observed
    ? ` (observed by inspections between ${utcText(observed.from)} and ${utcText(observed.to)})`
    : " (declared manifest)";
  const reads = declared ? declared.map(parseEntry) : observed ? observed.entries.map(parseQualified) : null;

  // Each contract's newest rehearsal of this version against the script that ran; one that
  // neither proved anything nor passed a statement is no evidence either way.
  const rehearsed = since.map((c) => {
    const r = rehearsalFor(input.rehearsals, targetVersion, c.checksum);
    return { c, r: r && (hasProof(r) || rehearsalPassed(r)) ? r : null };
  });
  const covered = rehearsed.filter((x): x is { c: ContractFact; r: RehearsalFact } => x.r !== null);
  const rest = declared ? ("declared" as const) : observed ? ("observed" as const) : ("unknown" as const);
  const basis: EligibilityBasis = covered.length
    ? {
        source: "rehearsed",
        covered: covered.length,
        contracts: since.length,
        statements: sum(covered.map((x) => x.r.statements)),
        proofs: sum(covered.map((x) => x.r.proofCount)),
        unverifiable: sum(covered.map((x) => x.r.unverifiable)),
        rest: covered.length < since.length ? rest : null,
      }
    : (manifest ?? { source: "unknown" });
  const withManifest = <T extends object>(answer: T) => (manifest ? { ...answer, manifest } : answer);

  const proofs: EligibilityReason[] = covered.filter((x) => hasProof(x.r)).flatMap(({ c, r }) => proofReasons(c, r));
  const removed: EligibilityReason[] = [];
  for (const c of since) {
    for (const object of c.objects) {
      const hit = reads?.find((entry) => affects(object, entry));
      if (!hit) continue;
      removed.push({
        kind: "removed",
        message: `Contract migration ${c.migrationName} of release ${c.release} ${describe(object)} at ${utcText(c.ranAt)}; ${targetVersion} reads ${hit.text}${source}.`,
        release: c.release,
        migration: c.migrationName,
        object: hit.text,
        at: c.ranAt,
      });
    }
  }
  if (proofs.length || removed.length)
    return withManifest({ verdict: "UNSAFE" as const, targetVersion, reasons: [...proofs, ...removed], basis });

  // No proof and no name match: a clean rehearsal settles its contract; the others as the manifest says.
  const passed: EligibilityReason[] = covered.map(({ c, r }) => ({
    kind: "rehearsal_passed",
    message: `${targetVersion} was rehearsed against contract migration ${c.migrationName} of release ${c.release} (SHA-256 ${r.contractChecksum.slice(0, 12)}…) at ${utcText(r.receivedAt)}: ${r.passed} of ${r.statements} statement(s) ${r.source === "observed" ? "Rollgate observed it running" : "from a file"} passed, no proof${r.unverifiable ? `; ${r.unverifiable} could not be verified (the embedded engine lacks what they need)` : ""}${r.noise ? `; ${r.noise} already failed after expand` : ""}.`,
    release: c.release,
    migration: c.migrationName,
    at: c.ranAt,
  }));
  const settled = new Set(covered.map((x) => x.c));
  const uncovered = since.filter((c) => !settled.has(c));
  if (uncovered.length === 0) return withManifest({ verdict: "SAFE" as const, targetVersion, reasons: passed, basis });
  if (!reads) {
    return {
      verdict: "UNKNOWN",
      targetVersion,
      reasons: [
        ...uncovered.map((c) => ({
          kind: "no_manifest" as const,
          message: `${targetVersion} was deployed without a schema manifest, no inspection observed it running and no rehearsal covers contract migration ${c.migrationName} of release ${c.release}, which ran at ${utcText(c.ranAt)}: check by hand what it removed, or rehearse it (rollgate rehearse).`,
          release: c.release,
          migration: c.migrationName,
          at: c.ranAt,
        })),
        ...passed,
      ],
      basis,
    };
  }
  // Nothing known to be removed is read, but a contract that could not be read may have removed anything.
  const unreadable = uncovered.filter((c) => c.unreadable?.length);
  if (unreadable.length) {
    return withManifest({
      verdict: "UNKNOWN" as const,
      targetVersion,
      reasons: [
        ...unreadable.map((c) => ({
          kind: "unreadable_contract" as const,
          message: `Contract migration ${c.migrationName} of release ${c.release} ran at ${utcText(c.ranAt)}, and Rollgate cannot tell everything it removed (${c.unreadable!.join("; ")}): check it against ${targetVersion} by hand.`,
          release: c.release,
          migration: c.migrationName,
          at: c.ranAt,
        })),
        ...passed,
      ],
      basis,
    });
  }
  return withManifest({
    verdict: "SAFE" as const,
    targetVersion,
    reasons: [
      {
        kind: "no_contract" as const,
        message: `${uncovered.length} contract migration(s) ran since ${targetVersion} was deployed, and none removed or changed anything it uses${source}.`,
      },
      ...passed,
    ],
    basis,
  });
}

function hasProof(r: RehearsalFact): boolean {
  return r.proofCount > 0 || r.proofs.length > 0;
}

function proofReasons(c: ContractFact, r: RehearsalFact): EligibilityReason[] {
  const where = { release: c.release, migration: c.migrationName, at: c.ranAt };
  const head = `Rehearsed against contract migration ${c.migrationName} of release ${c.release} at ${utcText(r.receivedAt)}`;
  const shown: EligibilityReason[] = r.proofs.map((proof) => ({
    kind: "rehearsal_proof",
    message: `${head}: ${proofText(proof)}.`,
    ...where,
    proof,
  }));
  const unsent = r.proofCount - r.proofs.length;
  if (unsent > 0)
    shown.push({
      kind: "rehearsal_proof",
      message: `${head}: ${unsent} more statement(s) fail after the contract (the rehearsal sends at most 100).`,
      ...where,
    });
  return shown;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

interface Entry {
  text: string;
  schema: string;
  table: string;
  column: string | null;
}

function parseEntry(text: string): Entry {
  const parts = text.toLowerCase().split(".");
  if (parts.length === 3) return { text, schema: parts[0]!, table: parts[1]!, column: parts[2]! };
  if (parts.length === 2) return { text, schema: "public", table: parts[0]!, column: parts[1]! };
  return { text, schema: "public", table: parts[0]!, column: null };
}

/** Observed entries are always qualified: `schema.table` or `schema.table.column`. */
function parseQualified(text: string): Entry {
  const [schema = "public", table = "?", ...column] = text.toLowerCase().split(".");
  // A table-level use (count(*), DELETE) is not a use of every column: "" matches no column.
  return { text, schema, table, column: column.length ? column.join(".") : "" };
}

function affects(object: RemovedObject, entry: Entry): boolean {
  const schema = (object.schema ?? "public").toLowerCase();
  const name = object.name.toLowerCase();
  switch (object.kind) {
    case "schema":
      return name === entry.schema;
    case "table":
    case "view":
      return schema === entry.schema && name === entry.table;
    case "column":
      if (entry.column === "") return false;
      return (
        schema === entry.schema &&
        (object.table ?? "").toLowerCase() === entry.table &&
        (entry.column === null || name === entry.column)
      );
    default:
      // Indexes, constraints and types change how data is stored, not what a query names.
      return false;
  }
}

function describe(object: RemovedObject): string {
  const qualified = [object.schema, object.table, object.name].filter(Boolean).join(".");
  return `${object.change.replaceAll("_", " ")} ${object.kind} ${qualified}`;
}
