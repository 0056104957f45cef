import type { Inspection } from "@rollgate/core/contract/inspection";
import { attributeInterval, mergeObserved, usageSnapshot } from "@rollgate/core/inspect/manifests";
import type { Db } from "@rollgate/db/client";
import {
  deploymentsBefore,
  inspectionBefore,
  lockObservedManifest,
  saveObservedManifest,
} from "@rollgate/db/queries/inspections";

/**
 * What an inspection teaches about the app versions' use of the schema: core attributes what
 * grew since the environment's previous inspection to the one version deployed throughout
 * (`attributeInterval`), and merges it into what was observed of that version before. Runs in
 * the transaction that stores the inspection; returns the version learned about, if any.
 */
export async function learnObservedManifest(
  db: Db,
  input: { environmentId: string; receivedAt: Date; inspection: Inspection },
): Promise<string | null> {
  const { environmentId, receivedAt } = input;
  const previous = await inspectionBefore(db, environmentId, receivedAt);
  if (!previous) return null;
  const { usage, ...summary } = input.inspection;
  const attribution = attributeInterval(
    usageSnapshot(previous.receivedAt, previous.summary, previous.usage),
    usageSnapshot(receivedAt, summary, input.inspection.usage_complete ? usage : null),
    await deploymentsBefore(db, environmentId, receivedAt),
  );
  if (!attribution.version) return null;
  const merged = mergeObserved(await lockObservedManifest(db, environmentId, attribution.version), attribution)!;
  await saveObservedManifest(db, environmentId, merged);
  return merged.version;
}
