import type { findActiveToken } from "@rollgate/db/queries/tokens";

/** The authenticated token a machine request carries (its service, environments and scopes). */
export type ApiToken = NonNullable<Awaited<ReturnType<typeof findActiveToken>>>;
