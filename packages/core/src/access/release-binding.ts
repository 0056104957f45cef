// What a `release.created` fixes, and for which environments. A release's attributes (its
// author, its app version) are kept per environment: a token scoped to staging registering a
// release first must not decide who the author is in production, nor make production's own
// pipeline fail with a conflict. An environment's attributes are bound by the first
// registration from a token that may act on that environment; until then they are
// provisional (another environment's word), and a provisional author counts as nobody known.

export interface ReleaseAttributes {
  author: string;
  appVersion: string;
}

/** One environment of the service, with what its rollout of the release is bound to (null: not yet). */
export interface EnvironmentBinding {
  environment: string;
  bound: ReleaseAttributes | null;
}

export type Registration =
  { ok: true; bind: string[] } | { ok: false; field: "data.author" | "data.app_version"; message: string };

/**
 * The environments a registration binds, or why it conflicts. `environment` is the event's own
 * (the token may act on it: the route checked); `mayActOn` every environment the token may act
 * on. It binds each of those still unbound; it conflicts only with what its own environment is
 * already bound to. What it says about environments it may not act on binds nothing.
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
  const mayAct = new Set([...params.mayActOn, params.environment]);
  return {
    ok: true,
    bind: params.environments.filter((e) => e.bound === null && mayAct.has(e.environment)).map((e) => e.environment),
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
