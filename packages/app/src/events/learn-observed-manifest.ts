import type { Inspection } from "@rollgate/core/contract/inspection";
import {
  attributeInterval,
  mergeObserved,
  mergeObservedWorkload,
  usageSnapshot,
} from "@rollgate/core/inspect/manifests";
import type { Db } from "@rollgate/db/client";
import {
  deploymentsBefore,
  inspectionBefore,
  lockObservedManifest,
  lockObservedWorkload,
  saveObservedManifest,
  saveObservedWorkload,
} from "@rollgate/db/queries/inspections";

/**
 * What an inspection teaches about the app versions' use of the schema: core attributes what
 * grew since the environment's previous inspection to the one version deployed throughout
 * (`attributeInterval`), and merges it into what was observed of that version before: the
 * objects it used (its observed manifest) and, when both inspections carry a workload, the
 * statements whose calls grew (its observed statements). Runs in the transaction that stores
 * the inspection; returns the version learned about, if any.
 */
export async function learnObservedManifest(
  db: Db,
  input: { environmentId: string; receivedAt: Date; inspection: Inspection },
): Promise<string | null> {
  const { environmentId, receivedAt } = input;
  const previous = await inspectionBefore(db, environmentId, receivedAt);
  if (!previous) return null;
  const { usage, workload, ...summary } = input.inspection;
  const attribution = attributeInterval(
    usageSnapshot(previous.receivedAt, previous.summary, previous.usage, previous.workload),
    usageSnapshot(receivedAt, summary, input.inspection.usage_complete ? usage : null, workload ?? null),
    await deploymentsBefore(db, environmentId, receivedAt),
  );
  if (!attribution.version) return null;
  const merged = mergeObserved(await lockObservedManifest(db, environmentId, attribution.version), attribution)!;
  await saveObservedManifest(db, environmentId, merged);
  if (attribution.statements) {
    const statements = mergeObservedWorkload(
      await lockObservedWorkload(db, environmentId, attribution.version),
      attribution,
    )!;
    await saveObservedWorkload(db, environmentId, statements);
  }
  return merged.version;
}
