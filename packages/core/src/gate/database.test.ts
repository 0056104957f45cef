import { describe, expect, it } from "vitest";
import {
  at,
  CONTRACT_SUM,
  EXPAND_SUM,
  INSPECTED_SERVER,
  inspectionFact,
  passingFacts,
  STATS_STARTED,
  stagingPolicy,
} from "../../test/builders.ts";
import type { DatabaseFacts } from "./facts.ts";
import { evaluateGate } from "./evaluate.ts";

const started = STATS_STARTED;
const server = INSPECTED_SERVER;
const inspection = inspectionFact;
const select = (calls: number) => ({
  id: "42",
  calls,
  text: "select i.email from invoices i where i.id = $1",
  objects: ["public.invoices.email"],
});
function database(patch: Partial<DatabaseFacts> = {}): DatabaseFacts {
  return {
    baseline: inspection("a", 0.1, { statements: [select(10)] }),
    recent: inspection("b", 1.9, { statements: [select(10)] }),
    environmentInspected: true,
    contract: {
      checksum: CONTRACT_SUM,
      removed: [{ kind: "column", table: "invoices", name: "email", change: "dropped" }],
      statements: [
        {
          index: 0,
          kind: "contract",
          type: "AlterTableStmt",
          line: 1,
          column: 1,
          lock: "ACCESS EXCLUSIVE",
          rewrites: false,
          table: "invoices",
        },
      ],
    },
    expandChecksum: EXPAND_SUM,
    ...patch,
  };
}
const check = (db: DatabaseFacts, id: string, policy = stagingPolicy()) => {
  const verdict = evaluateGate(passingFacts({ database: db }), policy, at(2));
  return { verdict, check: verdict.checks.find((c) => c.id === id)! };
};

describe("nothing still uses what the contract removes", () => {
  it("passes when no statement naming a removed object ran between the two inspections", () => {
    const { verdict, check: c } = check(database(), "usage");
    expect(c).toMatchObject({ status: "pass", blocking: true });
    expect(verdict.allowed).toBe(true);
  });

  it("fails naming the statement whose calls grew, with its text and calls", () => {
    const { verdict, check: c } = check(
      database({ recent: inspection("b", 1.9, { statements: [select(25)] }) }),
      "usage",
    );
    expect(c.status).toBe("fail");
    expect(c.message).toMatch(/select i.email from invoices i where i.id = \$1" \(public.invoices.email; 15 call/);
    expect(c.details).toMatchObject({ kind: "usage", statements: [{ id: "42", callsBefore: 10, callsAfter: 25 }] });
    expect(verdict.allowed).toBe(false);
  });

  it("passes once the use stopped in the latest interval, and keeps the earlier use as evidence", () => {
    const db = database({
      previous: inspection("p", 1, { statements: [select(25)] }),
      recent: inspection("b", 1.9, { statements: [select(25)] }),
    });
    const c = check(db, "usage").check;
    expect(c.status).toBe("pass");
    expect(c.message).toMatch(/1 did earlier in the window/);
    expect(c.details).toMatchObject({ statements: [{ id: "42", callsBefore: 10, callsAfter: 25 }] });
    expect(check({ ...db, previous: inspection("p", 1, { statements: [select(20)] }) }, "usage").check.status).toBe(
      "fail",
    );
  });

  it("counts a statement new since the window started as grown from zero", () => {
    expect(
      check(
        database({ baseline: inspection("a", 0.1), recent: inspection("b", 1.9, { statements: [select(3)] }) }),
        "usage",
      ).check.status,
    ).toBe("fail");
  });

  it("is pending without a recent inspection, or with only the window-start one", () => {
    expect(check(database({ recent: null }), "usage").check.status).toBe("pending");
    expect(check(database({ recent: database().baseline }), "usage").check.status).toBe("pending");
    expect(check(database({ recent: inspection("b", 0.5) }), "usage").check.message).toMatch(/recent inspection/);
    expect(check(database({ baseline: null }), "usage").check.message).toMatch(/--window-start/);
  });

  it("is unknown, never pass, after a reset or a restart, and says so", () => {
    const reset = check(
      database({
        recent: inspection("b", 1.9, {
          statements: [select(2)],
          statistics: { available: true, stats_reset: "2026-11-02T10:00:00.000Z", statements: 3, unresolved: 0 },
        }),
      }),
      "usage",
    );
    expect(reset.check).toMatchObject({ status: "unknown" });
    expect(reset.check.message).toMatch(/pg_stat_statements_reset\(\)/);
    expect(reset.verdict.allowed).toBe(false);
    const restart = check(
      database({
        recent: inspection("b", 1.9, {
          server: { ...server, started_at: "2026-11-02T10:00:00.000Z", now: at(1.9).toISOString() },
        }),
      }),
      "usage",
    );
    expect(restart.check.message).toMatch(/restarted/);
    const down = check(database({ recent: inspection("b", 1.9, { statements: [select(4)] }) }), "usage");
    expect(down.check).toMatchObject({ status: "unknown" });
  });

  it("is unknown when the inspecting role could not read other roles' statements", () => {
    const c = check(
      database({
        recent: inspection("b", 1.9, {
          statistics: { available: true, stats_reset: started, statements: 5, unresolved: 0, hidden: 2 },
        }),
      }),
      "usage",
    ).check;
    expect(c).toMatchObject({ status: "unknown" });
    expect(c.message).toMatch(/pg_read_all_stats/);
  });

  it("is unknown when the database has no pg_stat_statements, and says how to enable it", () => {
    const c = check(
      database({
        recent: inspection("b", 1.9, {
          statistics: { available: false, reason: "pg_stat_statements is not installed", statements: 0, unresolved: 0 },
        }),
      }),
      "usage",
    ).check;
    expect(c).toMatchObject({ status: "unknown" });
    expect(c.message).toMatch(/not installed/);
  });

  it("is unknown when a statement that ran could not be resolved", () => {
    const opaque = {
      id: "7",
      calls: 5,
      text: "select email from archive",
      objects: [],
      unknown: "relation archive is not in the catalog",
    };
    const c = check(
      database({ baseline: inspection("a", 0.1), recent: inspection("b", 1.9, { statements: [opaque] }) }),
      "usage",
    ).check;
    expect(c.status).toBe("unknown");
    expect(c.message).toMatch(/archive is not in the catalog/);
  });

  it("is informational (and never blocks) until the environment sends inspections, unless the policy says blocking", () => {
    const quiet = check(database({ environmentInspected: false, baseline: null }), "usage");
    expect(quiet.check).toMatchObject({ status: "pending", blocking: false });
    expect(quiet.verdict.allowed).toBe(true);
    const strict = check(
      database({ environmentInspected: false, baseline: null }),
      "usage",
      stagingPolicy({ database: { checks: "blocking" } }),
    );
    expect(strict.verdict.allowed).toBe(false);
  });
});

describe("finding 5: an evicted, reset, repeated or foreign inspection makes the usage check unknown, never pass", () => {
  const failed = { baseline: inspection("a", 0.1, { statements: [select(100)] }) };
  const status = (patch: Partial<DatabaseFacts>) => check(database({ ...failed, ...patch }), "usage").check;

  it("finding 5: a statement seen at the window start and evicted later (dealloc grew) is unknown, not pass", () => {
    expect(status({ recent: inspection("b", 1.9, { statements: [select(150)] }) }).status).toBe("fail");
    const evicted = status({
      previous: inspection("p", 1, { statements: [select(150)] }),
      recent: inspection("b", 1.9, {
        statements: [],
        statistics: {
          available: true,
          track: "all",
          stats_reset: started,
          dealloc: 3,
          statements: 5000,
          unresolved: 0,
        },
      }),
    });
    expect(evicted.status).toBe("unknown");
    expect(evicted.message).toMatch(/no longer in pg_stat_statements/);
  });

  it("finding 5: a statement missing later is unknown even when dealloc stayed the same", () => {
    const c = status({ recent: inspection("b", 1.9, { statements: [] }) });
    expect(c.status).toBe("unknown");
    expect(c.message).toMatch(/1 statement\(s\) seen earlier .* no longer in pg_stat_statements/);
  });

  it("finding 5: dealloc growth alone is unknown: what was evicted might have used the removed objects", () => {
    const c = status({
      recent: inspection("b", 1.9, {
        statements: [select(100)],
        statistics: {
          available: true,
          track: "all",
          stats_reset: started,
          dealloc: 9,
          statements: 5000,
          unresolved: 0,
        },
      }),
    });
    expect(c.status).toBe("unknown");
    expect(c.message).toMatch(/evicted 9 statement\(s\).*pg_stat_statements\.max/);
  });

  it("finding 5: a byte-identical re-send of the window-start inspection is unknown, not pass", () => {
    const again = { ...failed.baseline, id: "again", receivedAt: at(1.9) };
    const c = status({ recent: again });
    expect(c.status).toBe("unknown");
    expect(c.message).toMatch(/not newer than the window-start inspection by the database's own clock/);
  });

  it("finding 5: an inspection of another database (system identifier) is unknown", () => {
    const other = inspection("b", 1.9, {
      statements: [select(100)],
      server: { ...server, system_identifier: "7000000000000000001", now: at(1.9).toISOString() },
    });
    const c = status({ recent: other });
    expect(c.status).toBe("unknown");
    expect(c.message).toMatch(/another database cluster/);
  });

  it("finding 5: a summary without the database's clock and identity is unknown, never pass", () => {
    const legacy = inspection("b", 1.9, {
      statements: [select(100)],
      server: { version: "15.8", started_at: started, database: "app" },
    });
    expect(status({ recent: legacy }).status).toBe("unknown");
    expect(status({ recent: legacy }).message).toMatch(/rollgate inspect.*clock and identity/);
    const noInfo = inspection("b", 1.9, {
      statements: [select(100)],
      statistics: { available: true, track: "all", statements: 40, unresolved: 0 },
    });
    expect(status({ recent: noInfo }).status).toBe("unknown");
  });
});

describe("expand is live", () => {
  it("fails with what differs when a column the expand added is missing or of another type", () => {
    const drift = inspection("b", 1.9, {
      expand: [
        { kind: "column", name: "public.invoices.billing_email", expected: "text", state: "missing" },
        { kind: "column", name: "public.invoices.n", expected: "integer", state: "different", actual: "bigint" },
      ],
    });
    const { check: c, verdict } = check(database({ recent: drift }), "expand_live");
    expect(c.status).toBe("fail");
    expect(c.message).toMatch(
      /column public.invoices.billing_email is missing; column public.invoices.n is bigint, not integer/,
    );
    expect(verdict.allowed).toBe(false);
  });

  it("passes when everything exists, and is unknown when the inspection checked another script", () => {
    expect(check(database(), "expand_live").check.status).toBe("pass");
    expect(check(database({ expandChecksum: "f".repeat(64) }), "expand_live").check.status).toBe("unknown");
  });
});

describe("lock risk", () => {
  it("shows each locking statement with its table's size and the sessions that would block it, without blocking by default", () => {
    const held = inspection("b", 1.9, {
      statements: [select(10)],
      sessions: [
        {
          pid: 77,
          state: "idle in transaction",
          table: "public.invoices",
          mode: "AccessShareLock",
          granted: true,
          xact_seconds: 600,
        },
      ],
    });
    const { check: c, verdict } = check(database({ recent: held }), "lock_risk");
    expect(c).toMatchObject({ status: "fail", blocking: false });
    expect(c.details).toMatchObject({
      kind: "lock_risk",
      statements: [{ lock: "ACCESS EXCLUSIVE", table: "invoices", bytes: 8192, rows: 12, blockers: [{ pid: 77 }] }],
    });
    expect(verdict.allowed).toBe(true);
    expect(
      check(database({ recent: held }), "lock_risk", stagingPolicy({ database: { lockRisk: "blocking" } })).verdict
        .allowed,
    ).toBe(false);
  });
  it("builds a contract's risks once per contract and inspection, and never lets one inspection's answer stand for another's", () => {
    const risksOf = (db: DatabaseFacts) => {
      const details = check(db, "lock_risk").check.details;
      if (details?.kind !== "lock_risk") throw new Error("no lock risk details");
      return details.statements;
    };
    const facts = database({ recent: null });
    const first = risksOf(facts);
    // The same contract without an inspection: the same frozen list, shared, not rebuilt.
    expect(risksOf({ ...facts })).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first[0])).toBe(true);
    // The same contract with an inspection, then with another one that sees a blocker: each its own answer.
    const quiet = check({ ...facts, recent: inspection("b", 1.9) }, "lock_risk").check;
    const held = inspection("c", 1.95, {
      sessions: [
        { pid: 9, state: "active", table: "public.invoices", mode: "RowShareLock", granted: true, xact_seconds: 5 },
      ],
    });
    const busy = check({ ...facts, recent: held }, "lock_risk").check;
    expect(quiet).toMatchObject({ status: "pass", details: { statements: [{ bytes: 8192, blockers: [] }] } });
    expect(busy).toMatchObject({ status: "fail", details: { statements: [{ blockers: [{ pid: 9 }] }] } });
    // A copy of the contract (facts read anew) gets an equal list, built afresh.
    const copy = risksOf(structuredClone(facts));
    expect(copy).not.toBe(first);
    expect(copy).toEqual(first);
  });
});
