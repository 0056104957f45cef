// What a `release.created` fixes, and for which environments. A release's attributes (its
// author, its app version, the commit its pipeline built) are kept per environment: a token scoped to staging registering a
// release first must not decide who the author is in production, nor make production's own
// pipeline fail with a conflict, nor choose the commit a production deployment is approved for. An environment's attributes are bound by the first
// registration from a token that may act on that environment; until then they are
// provisional (another environment's word), and a provisional author counts as nobody known.

export interface ReleaseAttributes {
  author: string;
  appVersion: string;
  /** The commit the pipeline built (`data.commit_sha`); null: not said. Fixed once recorded in an environment. */
  commitSha: string | null;
}

/** One environment of the service, with what its rollout of the release is bound to (null: not yet). */
export interface EnvironmentBinding {
  environment: string;
  bound: ReleaseAttributes | null;
}

export type Registration =
  | {
      ok: true;
      /** Unbound environments this registration binds (author, version and commit, as sent). */
      bind: string[];
      /** Bound environments that had no commit and now record the one sent (empty when none was sent). */
      recordCommit: string[];
    }
  | { ok: false; field: "data.author" | "data.app_version" | "data.commit_sha"; message: string };

/**
 * The environments a registration binds, or why it conflicts. `environment` is the event's own
 * (the token may act on it: the route checked); `mayActOn` every environment the token may act
 * on. It binds each of those still unbound; it conflicts only with what its own environment is
 * already bound to. What it says about environments it may not act on binds nothing. The commit
 * is fixed once recorded in an environment: a different one there is a conflict, leaving it out
 * keeps it, and one sent to an environment bound without a commit is recorded there.
 */
export function registerAttributes(params: {
  release: string;
  environment: string;
  mayActOn: readonly string[];
  incoming: ReleaseAttributes;
  environments: readonly EnvironmentBinding[];
}): Registration {
  const { release, incoming } = params;
  const own = params.environments.find((e) => e.environment === params.environment)?.bound ?? null;
  if (own && own.author !== incoming.author)
    return {
      ok: false,
      field: "data.author",
      message: `Release ${release} already exists in ${params.environment} with author "${own.author}"; an author cannot change. Create a new release.`,
    };
  if (own && own.appVersion !== incoming.appVersion)
    return {
      ok: false,
      field: "data.app_version",
      message: `Release ${release} already ships version ${own.appVersion} in ${params.environment}; a different version is a new release.`,
    };
  if (own?.commitSha && incoming.commitSha !== null && own.commitSha !== incoming.commitSha)
    return {
      ok: false,
      field: "data.commit_sha",
      message: `Release ${release} already recorded commit ${own.commitSha} in ${params.environment}; a different commit is a new release.`,
    };
  const mayAct = new Set([...params.mayActOn, params.environment]);
  const ours = params.environments.filter((e) => mayAct.has(e.environment));
  return {
    ok: true,
    bind: ours.filter((e) => e.bound === null).map((e) => e.environment),
    recordCommit:
      incoming.commitSha === null
        ? []
        : ours.filter((e) => e.bound !== null && e.bound.commitSha === null).map((e) => e.environment),
  };
}

/**
 * The author text that counts for one environment's rollout: its own bound author (rows from
 * before per-environment attributes carry none and keep the release's), or null while the
 * rollout is provisional, so every author rule treats the author as could-be-anyone.
 */
export function rolloutAuthor(
  rollout: { provisional: boolean; author: string | null },
  releaseAuthor: string,
): string | null {
  if (rollout.provisional) return null;
  return rollout.author ?? releaseAuthor;
}

/**
 * The commit that counts for one environment's rollout (what a GitHub deployment there is
 * matched by): its own recorded commit, or null while the rollout is provisional, since another
 * environment's registration never chooses it.
 */
export function rolloutCommit(rollout: { provisional: boolean; commitSha: string | null }): string | null {
  return rollout.provisional ? null : rollout.commitSha;
}
