// The matrix of who may decide what on a rollout, under the default production policy. One
// table, read three ways: docs/SECURITY.md prints it, a core test checks the rules against it
// cell by cell, and a database test drives every use case with every actor against it.
import type { Role } from "../types.ts";

export const ACTORS = [
  "anonymous",
  "viewer",
  "on_call",
  "approver",
  "release_manager",
  "admin",
  "release_manager_of_another_service",
  "author",
] as const;
export type Actor = (typeof ACTORS)[number];

export const ACTIONS = [
  "approve",
  "break_glass",
  "confirm_override",
  "authorise_recovery",
  "review_override",
  "pause_backfill",
  "resume_backfill",
  "cancel_backfill",
  "administer",
] as const;
export type Action = (typeof ACTIONS)[number];

/** The role an actor holds, and where: `author` is a release manager of the service who wrote the release. */
export const ACTOR_GRANTS: Record<Actor, { role: Role; scope: "global" | "this_service" | "other_service" } | null> = {
  anonymous: null,
  viewer: { role: "viewer", scope: "global" },
  on_call: { role: "on_call", scope: "global" },
  approver: { role: "approver", scope: "this_service" },
  release_manager: { role: "release_manager", scope: "this_service" },
  admin: { role: "admin", scope: "global" },
  release_manager_of_another_service: { role: "release_manager", scope: "other_service" },
  author: { role: "release_manager", scope: "this_service" },
};

const only = (...allowed: Actor[]): Record<Actor, boolean> =>
  Object.fromEntries(ACTORS.map((a) => [a, allowed.includes(a)])) as Record<Actor, boolean>;

/** true: allowed; false: refused (403, or a sentence on the page). */
export const MATRIX: Record<Action, Record<Actor, boolean>> = {
  approve: only("approver", "release_manager", "admin"),
  break_glass: only("release_manager", "admin"),
  confirm_override: only("release_manager", "admin"),
  authorise_recovery: only("release_manager", "admin"),
  review_override: only("release_manager", "admin"),
  // The author may too: stopping a backfill takes nothing from anyone, it needs no second person.
  pause_backfill: only("on_call", "release_manager", "admin", "author"),
  resume_backfill: only("on_call", "release_manager", "admin", "author"),
  cancel_backfill: only("on_call", "release_manager", "admin", "author"),
  administer: only("admin"),
};

export const ACTION_LABELS: Record<Action, string> = {
  approve: "approve or reject the contract script",
  break_glass: "break glass (window, flag, SLO, backup, promotion, no-go only)",
  confirm_override: "confirm someone else's override (production)",
  authorise_recovery: "authorise a recovery run after a failed migration",
  review_override: "close the review of someone else's override",
  pause_backfill: "pause a running backfill (the CLI stops before its next batch)",
  resume_backfill: "resume a backfill paused from the dashboard",
  cancel_backfill: "cancel a backfill (final: it cannot be resumed)",
  administer: "manage roles, identities, tokens and policies",
};

/** The matrix as the Markdown table docs/SECURITY.md prints (a test keeps the two equal). */
export function matrixMarkdown(): string {
  const head = `| action | ${ACTORS.map((a) => a.replaceAll("_", " ")).join(" | ")} |`;
  const rule = `| --- | ${ACTORS.map(() => "---").join(" | ")} |`;
  const rows = ACTIONS.map(
    (action) =>
      `| ${ACTION_LABELS[action]} | ${ACTORS.map((actor) => (MATRIX[action][actor] ? "yes" : "no")).join(" | ")} |`,
  );
  return [head, rule, ...rows].join("\n");
}
