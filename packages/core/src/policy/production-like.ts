// Whether an environment is production-like is a flag on the environment, set by an admin.
// The name only proposes it when the environment is created: `production`, `prod*`, `prd*` and
// `live` (alone or before a separator) are proposed as production-like; the admin sees the
// flag and may change it. Everything keyed on "production" (policy defaults, a second person
// for overrides) reads the flag, never the name.

/** The names proposed as production-like. The same pattern backfills migration 0016 (`~*`). */
export const PRODUCTION_LIKE_NAME = "^(prod|prd)|^live($|[^a-z0-9])";
const pattern = new RegExp(PRODUCTION_LIKE_NAME, "i");

/** The flag proposed for a new environment of this name. */
export function proposedProductionLike(name: string): boolean {
  return pattern.test(name.trim());
}

/** The environment as the rules about production need it. */
export interface EnvironmentKind {
  productionLike: boolean;
}

/** Production-like is what the environment's flag says, whatever its name. */
export function isProductionLike(environment: EnvironmentKind): boolean {
  return environment.productionLike === true;
}
