// "Can I roll the app back to version V and still read my data?" — answered from what V
// reads (its deploy manifest) and what contract migrations removed since V last ran.

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
  run: { release: string; migrationName: string; ranAt: Date },
  analysis: SqlAnalysis | null,
): ContractFact {
  if (!analysis) return { ...run, objects: [], unreadable: ["Rollgate has no text of this contract script"] };
  const unreadable = analysis.findings.filter((f) => UNREADABLE_RULES.has(f.rule)).map((f) => f.message);
  return { ...run, objects: analysis.objects.map(({ statement: _statement, ...object }) => object), unreadable };
}

export type Verdict = "SAFE" | "UNSAFE" | "UNKNOWN";

export interface EligibilityReason {
  kind: "removed" | "unreadable_contract" | "no_manifest" | "never_deployed" | "no_contract";
  message: string;
  release?: string;
  migration?: string;
  object?: string;
  at?: Date;
}

export interface Eligibility {
  verdict: Verdict;
  targetVersion: string;
  reasons: EligibilityReason[];
  /** Which manifest decided: declared in `app.deployed`, or observed by inspections (with the span they cover). */
  manifest?: { source: "declared" } | { source: "observed"; from: Date; to: Date };
}

/** What inspections saw a version use: `schema.table` and `schema.table.column`, fully qualified. */
export interface ObservedManifestFact {
  version: string;
  entries: string[];
  from: Date;
  to: Date;
}

/** SAFE, UNSAFE or UNKNOWN for rolling back to `targetVersion`, with reasons that name the contract. */
export function rollbackEligibility(input: {
  targetVersion: string;
  deployments: DeploymentFact[];
  contracts: ContractFact[];
  observed?: ObservedManifestFact[];
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
  if (!declared && !observed) {
    return {
      verdict: "UNKNOWN",
      targetVersion,
      reasons: since.map((c) => ({
        kind: "no_manifest" as const,
        message: `${targetVersion} was deployed without a schema manifest and no inspection observed it running, and contract migration ${c.migrationName} of release ${c.release} ran at ${utcText(c.ranAt)}: check by hand what it removed.`,
        release: c.release,
        migration: c.migrationName,
        at: c.ranAt,
      })),
    };
  }
  const manifest: Eligibility["manifest"] = observed
    ? { source: "observed", from: observed.from, to: observed.to }
    : { source: "declared" };
  const source = observed
    ? ` (observed by inspections between ${utcText(observed.from)} and ${utcText(observed.to)})`
    : " (declared manifest)";
  const reads = declared ? declared.map(parseEntry) : observed!.entries.map(parseQualified);
  const reasons: EligibilityReason[] = [];
  for (const c of since) {
    for (const object of c.objects) {
      const hit = reads.find((entry) => affects(object, entry));
      if (!hit) continue;
      reasons.push({
        kind: "removed",
        message: `Contract migration ${c.migrationName} of release ${c.release} ${describe(object)} at ${utcText(c.ranAt)}; ${targetVersion} reads ${hit.text}${source}.`,
        release: c.release,
        migration: c.migrationName,
        object: hit.text,
        at: c.ranAt,
      });
    }
  }
  if (reasons.length) return { verdict: "UNSAFE", targetVersion, reasons, manifest };
  // Nothing known to be removed is read, but a contract that could not be read may have removed anything.
  const unreadable = since.filter((c) => c.unreadable?.length);
  if (unreadable.length) {
    return {
      verdict: "UNKNOWN",
      targetVersion,
      reasons: unreadable.map((c) => ({
        kind: "unreadable_contract" as const,
        message: `Contract migration ${c.migrationName} of release ${c.release} ran at ${utcText(c.ranAt)}, and Rollgate cannot tell everything it removed (${c.unreadable!.join("; ")}): check it against ${targetVersion} by hand.`,
        release: c.release,
        migration: c.migrationName,
        at: c.ranAt,
      })),
      manifest,
    };
  }
  return {
    verdict: "SAFE",
    targetVersion,
    reasons: [
      {
        kind: "no_contract",
        message: `${since.length} contract migration(s) ran since ${targetVersion} was deployed, and none removed or changed anything it uses${source}.`,
      },
    ],
    manifest,
  };
}

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
