import { activeFreeze, type Policy } from "../policy/index.ts";
import type { RolloutState } from "../types.ts";
import { OVERRIDABLE_CHECKS, overrideNeedsConfirmation } from "../access/decide.ts";
import { approvalsCheck, countApprovals } from "./approvals.ts";
import type { GateCheck, GateFacts, GateVerdict } from "./facts.ts";
import { utcText } from "../format.ts";
import { sloSourceProblem } from "./slo-source.ts";
import { expandLiveCheck, lockRiskCheck, usageCheck } from "./database.ts";
import { dataCheck } from "./data.ts";
import { rehearsalCheck } from "./rehearsal.ts";
import { windowEndsAt as windowEnd } from "../lifecycle/window.ts";

const EXPANDED: RolloutState[] = [
  "expanded",
  "rolling_out",
  "verifying",
  "rolled_back",
  "contracting",
  "contracted",
  "contract_failed",
];

/** "May the contract step run now?" — one check per rule, each with a sentence. */
export function evaluateGate(facts: GateFacts, policy: Policy, now: Date): GateVerdict {
  const r = facts.rollout;
  const windowEndsAt = windowEnd(r.windowStartedAt, policy);
  const checks: GateCheck[] = [
    expandCheck(facts),
    windowCheck(facts, windowEndsAt, now),
    flagCheck(facts, policy),
    sloCheck(facts, policy, windowEndsAt, now),
    backupCheck(facts, policy, now),
    promotionCheck(facts),
    noGoCheck(facts, policy, now),
    approvalsCheck(facts, policy, now),
    leaseCheck(facts, now),
    usageCheck(facts.database, r.windowStartedAt, policy, now),
    expandLiveCheck(facts.database, EXPANDED.includes(r.state), policy),
    lockRiskCheck(facts.database, policy),
    dataCheck(facts.dataChecks, r.windowStartedAt, policy, now),
    rehearsalCheck(facts.rehearsal, r.contractChecksum, policy),
  ];
  const live = liveOverrides(facts, policy, now);
  for (const check of checks) {
    const overridable = (OVERRIDABLE_CHECKS as readonly string[]).includes(check.id);
    if (check.status !== "pass" && overridable && live.some((o) => o.checks.includes(check.id)))
      check.overridden = true;
  }
  const { have, need } = countApprovals(facts, policy, now);
  return {
    allowed: checks.every((c) => c.status === "pass" || c.overridden === true || c.blocking === false),
    checks,
    windowEndsAt,
    approvals: { have, need },
  };
}

/** Break-glass overrides in force now: confirmed by a second person where the policy asks for it. */
export function liveOverrides(facts: GateFacts, policy: Policy, now: Date) {
  const confirm = overrideNeedsConfirmation(policy, facts.productionLike);
  return facts.overrides.filter(
    (o) => o.kind === "break_glass" && (!confirm || o.confirmedAt !== null) && o.createdAt <= now && now < o.expiresAt,
  );
}

function expandCheck({ rollout, expandDestructiveFindings }: GateFacts): GateCheck {
  const title = "Expand migration";
  if (expandDestructiveFindings !== null && expandDestructiveFindings > 0)
    return {
      id: "expand",
      title,
      status: "fail",
      message: `The expand script has ${expandDestructiveFindings} destructive statement(s); expand must be additive only.`,
    };
  if (rollout.state === "expand_failed")
    return { id: "expand", title, status: "fail", message: "The expand migration failed; fix it and run it again." };
  if (!EXPANDED.includes(rollout.state))
    return { id: "expand", title, status: "pending", message: "The expand migration has not succeeded yet." };
  // An expand Rollgate never read is unknown, never "additive only" (and break-glass cannot pass it).
  if (expandDestructiveFindings === null)
    return {
      id: "expand",
      title,
      status: "unknown",
      message: `Rollgate never saw the text of the expand script that ran (SHA-256 ${rollout.expandChecksum?.slice(0, 12) ?? "unknown"}…), so it cannot tell that it was additive; send the same bytes as expand_sql in release.created.`,
    };
  return { id: "expand", title, status: "pass", message: "The expand migration succeeded and is additive only." };
}

function windowCheck({ rollout }: GateFacts, end: Date | null, now: Date): GateCheck {
  const title = "Rollback window";
  if (!end) {
    const why =
      rollout.state === "rolled_back"
        ? `The app was rolled back; the window restarts when ${rollout.releaseVersion} is deployed again with its flag at 100 %.`
        : `The window starts when ${rollout.releaseVersion} is deployed and its flag is at 100 %.`;
    return { id: "rollback_window", title, status: "pending", message: why };
  }
  if (now < end)
    return {
      id: "rollback_window",
      title,
      status: "pending",
      message: `The rollback window is open until ${utcText(end)}; an app rollback stays data-safe until then.`,
      until: end,
    };
  return { id: "rollback_window", title, status: "pass", message: `The rollback window ended at ${utcText(end)}.` };
}

function flagCheck({ rollout }: GateFacts, policy: Policy): GateCheck {
  const title = "Feature flag and rollbacks";
  if (rollout.state === "rolled_back")
    return {
      id: "flag",
      title,
      status: "fail",
      message: `The app was rolled back to ${rollout.currentVersion ?? "an earlier version"} at ${rollout.lastRollbackAt ? utcText(rollout.lastRollbackAt) : "an unknown time"}.`,
    };
  if (!rollout.windowStartedAt)
    return {
      id: "flag",
      title,
      status: "pending",
      message: `The flag is at ${rollout.flagPercent} %; it must reach 100 % and stay there for the whole window.`,
    };
  if (!policy.requireFlagFull)
    return {
      id: "flag",
      title,
      status: "pass",
      message: "This environment's policy does not require a flag; no app rollback inside the window.",
    };
  return {
    id: "flag",
    title,
    status: "pass",
    message: `The flag has been at 100 % since ${utcText(rollout.windowStartedAt)} with no app rollback inside the window.`,
  };
}

function sloCheck({ slo, rollout }: GateFacts, policy: Policy, end: Date | null, now: Date): GateCheck {
  const title = "Service level objectives";
  const t = policy.slo;
  const breaches = [
    slo.minAvailability !== null &&
      slo.minAvailability < t.minAvailability &&
      `availability fell to ${slo.minAvailability} % (minimum ${t.minAvailability} %)`,
    slo.minErrorBudgetRemaining !== null &&
      slo.minErrorBudgetRemaining < t.minErrorBudgetRemaining &&
      `error budget fell to ${pct(slo.minErrorBudgetRemaining)} (minimum ${pct(t.minErrorBudgetRemaining)})`,
    slo.maxBurnRate !== null &&
      slo.maxBurnRate > t.maxBurnRate &&
      `burn rate reached ${slo.maxBurnRate} (maximum ${t.maxBurnRate})`,
  ].filter(Boolean);
  if (breaches.length)
    return { id: "slo", title, status: "fail", message: `During the window ${breaches.join("; ")}.` };
  // A pulled source that errs or falls silent leaves the SLOs unknown: pending, never pass.
  const problem = sloSourceProblem(slo.pulls, policy, rollout.windowStartedAt, end, now);
  if (problem) return { id: "slo", title, status: "pending", message: problem };
  if (!end || now < end)
    return {
      id: "slo",
      title,
      status: "pending",
      message: `${slo.samples} snapshot(s) so far within thresholds; the SLOs must hold until the window ends.`,
    };
  if (slo.samples === 0)
    return {
      id: "slo",
      title,
      status: "fail",
      message: "No SLO snapshot arrived during the window, so there is no evidence the SLOs held.",
    };
  return {
    id: "slo",
    title,
    status: "pass",
    message: `All ${slo.samples} snapshot(s) during the window met the thresholds.`,
  };
}

function backupCheck({ latestTestedBackup: b }: GateFacts, policy: Policy, now: Date): GateCheck {
  const title = "Verified backup";
  const maxAgeHours = policy.backupMaxAgeSeconds / 3600;
  if (!b)
    return {
      id: "backup",
      title,
      status: "fail",
      message: "No backup with a tested restore exists for this environment.",
    };
  const ageHours = (now.getTime() - b.verifiedAt.getTime()) / 3_600_000;
  if (ageHours > maxAgeHours)
    return {
      id: "backup",
      title,
      status: "fail",
      message: `The newest restore-tested backup (${b.backupId}) is ${ageHours.toFixed(1)} h old; the policy allows ${maxAgeHours} h.`,
    };
  return {
    id: "backup",
    title,
    status: "pass",
    message: `Backup ${b.backupId} was restore-tested ${ageHours.toFixed(1)} h ago (limit ${maxAgeHours} h).`,
  };
}

/** Promotion means this very contract script succeeded in every earlier environment: the same
 * release key contracted with another script (or a recovery run's fix) does not count. */
function promotionCheck({ earlierEnvironments, rollout }: GateFacts): GateCheck {
  const title = "Promotion order";
  const behind = earlierEnvironments.filter((e) => e.state !== "contracted");
  if (earlierEnvironments.length === 0)
    return { id: "promotion", title, status: "pass", message: "This is the first environment in the promotion order." };
  if (behind.length)
    return {
      id: "promotion",
      title,
      status: "fail",
      message: `Contract this release first in ${behind.map((e) => `${e.name} (${e.state ? e.state.replaceAll("_", " ") : "not started"})`).join(", ")}.`,
    };
  const other = earlierEnvironments.filter(
    (e) => rollout.contractChecksum === null || e.contractChecksum !== rollout.contractChecksum,
  );
  if (other.length)
    return {
      id: "promotion",
      title,
      status: "fail",
      message: `This contract script (${rollout.contractChecksum?.slice(0, 12) ?? "none registered"}) did not succeed in ${other.map((e) => `${e.name} (${e.contractChecksum ? `ran ${e.contractChecksum.slice(0, 12)}` : "no successful contract recorded"})`).join(", ")}; promote the script that ran there.`,
    };
  return {
    id: "promotion",
    title,
    status: "pass",
    message: `This contract script succeeded in ${earlierEnvironments.map((e) => e.name).join(", ")}.`,
  };
}

function noGoCheck({ openIncidents }: GateFacts, policy: Policy, now: Date): GateCheck {
  const title = "No-go conditions";
  const freeze = activeFreeze(policy, now);
  const reasons = [
    freeze && `a change freeze is in force (${freeze.reason}) until ${utcText(freeze.until)}`,
    ...openIncidents.map(
      (i) =>
        `${i.source && i.source !== "manual" ? `${sourceName(i.source)} ` : ""}incident "${i.title}" is open since ${utcText(i.openedAt)}`,
    ),
    ...policy.noGo.filter((c) => c.active).map((c) => `${c.description}`),
  ].filter(Boolean);
  const links = openIncidents.filter((i) => i.url).map((i) => ({ label: i.title, href: i.url! }));
  if (reasons.length)
    return {
      id: "no_go",
      title,
      status: "fail",
      message: `No-go: ${reasons.join("; ")}.`,
      ...(freeze ? { until: freeze.until } : {}),
      ...(links.length ? { links } : {}),
    };
  return { id: "no_go", title, status: "pass", message: "No freeze, open incident or other no-go condition." };
}

function leaseCheck({ activeLease }: GateFacts, now: Date): GateCheck {
  const title = "Contract lease";
  if (activeLease && activeLease.expiresAt > now)
    return {
      id: "lease",
      title,
      status: "fail",
      message: `${activeLease.holder} holds the contract lease until ${utcText(activeLease.expiresAt)}.`,
      until: activeLease.expiresAt,
    };
  return { id: "lease", title, status: "pass", message: "No other job holds the contract lease." };
}

function sourceName(source: string): string {
  return (
    ({ alertmanager: "Alertmanager", pagerduty: "PagerDuty", event: "reported" } as Record<string, string>)[source] ??
    source
  );
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10} %`;
}
