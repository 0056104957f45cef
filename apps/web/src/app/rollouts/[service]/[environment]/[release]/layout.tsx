import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { pageReader } from "@/server/auth/reading";
import { rolloutExists } from "@/server/rollouts/rollout-keys";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";
import { rolloutPath } from "@rollgate/core/contract/rollout-path";

type Params = RolloutKey;

/**
 * Sign-in and existence are settled here, outside the page's loading boundary, so that
 * `redirect()` and `notFound()` still set the HTTP status (307, 404): once the skeleton has
 * streamed, the page can only render a not-found body under a 200.
 */
export default async function RolloutLayout({ children, params }: { children: ReactNode; params: Promise<Params> }) {
  const keys = await params;
  // Signed in first, so an anonymous visitor learns nothing, not even whether the rollout exists.
  await pageReader(null, rolloutPath(keys));
  if (!(await rolloutExists(keys))) notFound();
  return children;
}
