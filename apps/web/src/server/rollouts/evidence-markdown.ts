import "server-only";
import type { Evidence } from "@rollgate/app/rollouts/export-evidence";
import { auditVerdictText } from "@/lib/audit-verdict";
import { utc } from "@/lib/format";

/** The printable half: Markdown a person reads or files with a change record. */
export function evidenceMarkdown(e: Evidence): string {
  const t = (d: Date | string) => utc(d, true);
  // A backfill reports progress every few seconds: the JSON keeps each report, the page counts them.
  const progress = e.events.filter((ev) => ev.type === "backfill.progress").length;
  const lines = [
    `# Evidence: ${e.rollout.service} ${e.rollout.release} in ${e.rollout.environment}`,
    "",
    `${e.rollout.releaseTitle} (version ${e.rollout.version}, by ${e.rollout.author}). State: **${e.rollout.state.replaceAll("_", " ")}**. Exported ${t(e.exportedAt)} UTC.`,
    "",
    `Audit chain: ${e.audit.chain.intact ? `intact (${e.audit.chain.entries} entries verified with the server's key; head ${e.audit.chain.head ?? "none"}).` : `NOT INTACT. ${auditVerdictText(e.audit.chain)}`} Keep this head: a later export whose chain no longer contains it shows a rewrite.`,
    "",
    `Audit key record: ${e.audit.keyRecord ? `keyed hashing began at \`${e.audit.keyRecord.keyedFrom}\` (MAC ${e.audit.keyRecord.mac}${e.audit.keyRecord.verifies ? "" : ", which does NOT verify under the server's key"})` : "none in the database"}. Unkeyed entries verify only before it (ROLLGATE_AUDIT_KEYED_FROM pins it).`,
    "",
    "## Gate now",
    "",
    ...e.gateNow.checks.map(
      (c) => `- ${c.status.toUpperCase()}${c.overridden ? " (overridden)" : ""} — ${c.title}: ${c.message}`,
    ),
    "",
    "## Timeline (UTC)",
    "",
    "| received | event | state |",
    "| --- | --- | --- |",
    ...e.events
      .filter((ev) => ev.type !== "backfill.progress")
      .map(
        (ev) =>
          `| ${t(ev.receivedAt)} | ${ev.type}${ev.clockSkewSeconds === null ? "" : ` (the pipeline's clock said ${t(ev.occurredAt)})`} | ${ev.stateBefore} → ${ev.stateAfter} |`,
      ),
    ...(progress ? ["", `${progress} backfill progress report(s) are left out here; the JSON export lists each.`] : []),
    ...(e.backfills.length ? ["", "## Backfills", ""] : []),
    ...e.backfills.map(
      (b) =>
        `- ${b.state.toUpperCase()} \`${b.tableName ?? "?"}\` SET \`${b.setList ?? "?"}\`${b.whereClause ? ` WHERE \`${b.whereClause}\`` : ""}: ${b.rowsDone.toLocaleString("en")} rows done${b.estimateRows !== null ? ` of ~${b.estimateRows.toLocaleString("en")}` : ""}, ${b.rowsWritten.toLocaleString("en")} written; started ${t(b.startedAt)}${b.finishedAt ? `, ended ${t(b.finishedAt)}` : ""} UTC${b.checkName ? `; data check ${b.checkName}` : ""}${b.controlRequestedAt ? `; last control ${b.control} by ${b.controlRequestedByEmail ?? "?"} at ${t(b.controlRequestedAt)} UTC` : ""}${b.error ? `; ${b.error}` : ""}`,
    ),
    "",
    "## Decisions",
    "",
    ...e.approvals.map(
      (a) =>
        `- ${t(a.decidedAt)} ${a.approverEmail} ${a.withdrawnAt ? "withdrew" : a.decision === "approve" ? "approved" : "rejected"} script ${a.contractChecksum.slice(0, 12)}…${a.comment ? `: “${a.comment}”` : ""}`,
    ),
    ...e.overrides.map(
      (o) =>
        `- ${t(o.createdAt)} BREAK-GLASS by ${o.actorEmail} on ${o.checks.join(", ")}: “${o.justification}” — ${o.reviewedAt ? `reviewed by ${o.reviewerEmail}` : "NOT YET REVIEWED"}`,
    ),
    "",
    "## Audit entries",
    "",
    "| # | time | action | hash |",
    "| --- | --- | --- | --- |",
    ...e.audit.entries.map((a) => `| ${a.seq} | ${t(a.at)} | ${a.action} | \`${a.hash.slice(0, 16)}…\` |`),
    "",
  ];
  return lines.join("\n");
}
