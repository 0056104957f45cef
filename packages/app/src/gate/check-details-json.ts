import type { CheckDetailsJson } from "@rollgate/core/contract/responses";
import type { CheckDetails } from "@rollgate/core/gate";

/** A check's evidence on the wire: snake_case, ISO times. */
export function checkDetailsJson(d: CheckDetails): CheckDetailsJson {
  const at = (x: Date | null) => x?.toISOString() ?? null;
  switch (d.kind) {
    case "usage":
      return {
        kind: d.kind,
        baseline_at: at(d.baselineAt),
        recent_at: at(d.recentAt),
        statements: d.statements.map((s) => ({
          id: s.id,
          text: s.text,
          calls_before: s.callsBefore,
          calls_after: s.callsAfter,
          objects: s.objects,
          unknown: s.unknown ?? null,
        })),
      };
    case "expand_live":
      return {
        kind: d.kind,
        inspected_at: at(d.inspectedAt),
        objects: d.objects.map((o) => ({
          kind: o.kind,
          name: o.name,
          state: o.state,
          expected: o.expected ?? null,
          actual: o.actual ?? null,
        })),
      };
    case "lock_risk":
      return {
        kind: d.kind,
        inspected_at: at(d.inspectedAt),
        statements: d.statements.map((s) => ({
          statement: s.statement,
          line: s.line,
          lock: s.lock,
          table: s.table,
          rewrites: s.rewrites,
          bytes: s.bytes,
          rows: s.rows,
          blockers: s.blockers.map((b) => ({ pid: b.pid, state: b.state, mode: b.mode, xact_seconds: b.xactSeconds })),
        })),
      };

    case "data":
      return {
        kind: d.kind,
        checks: d.checks.map((c) => ({
          name: c.name,
          checksum: c.checksum,
          source: c.source,
          status: c.status,
          ran_at: at(c.ranAt),
          rows: c.rows,
          sample_keys: c.sampleKeys,
          samples_withheld: c.samplesWithheld,
          error: c.error,
        })),
      };

    case "rehearsal":
      return {
        kind: d.kind,
        version: d.version,
        contract_checksum: d.contractChecksum,
        received_at: d.receivedAt.toISOString(),
        source: d.source,
        statements: d.statements,
        passed: d.passed,
        noise: d.noise,
        unverifiable: d.unverifiable,
        proof_count: d.proofCount,
        proofs: d.proofs.map((p) => ({
          statement: p.statement,
          error: p.error,
          sqlstate: p.sqlstate ?? null,
          step: p.step,
          calls: p.calls ?? null,
        })),
      };
  }
}
