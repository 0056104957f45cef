import type { AlterTableType } from "libpg-query";
import type { RemovedObject } from "../types.ts";
import { stronger } from "../locks.ts";
import type { Context, LockMode, Node, QualifiedName, RawFinding } from "../types.ts";
import { addColumn, addColumnRewrite, addConstraint } from "./add-column.ts";
import { contract, locking, notIdempotent, unclassified } from "./findings.ts";
import { createdHere } from "./contract.ts";
import { display, rangeVar } from "./names.ts";

// ALTER TABLE: one statement, many sub-commands, each judged on its own. Every sub-command
// PostgreSQL has is in ALTER_TABLE_COMMANDS; locks are those of AlterTableGetLockLevel()
// in tablecmds.c, which the ALTER TABLE documentation states per form.

interface Where {
  table: QualifiedName;
  /** Created earlier in this script: no app version uses it yet. */
  fresh: boolean;
  objtype: string;
}

export interface CommandClass {
  lock: LockMode | ((cmd: Node) => LockMode);
  rewrites?: (cmd: Node) => boolean;
  judge?: (cmd: Node, at: Where) => RawFinding[];
  /** Built by PostgreSQL itself (e.g. by ALTER COLUMN TYPE or CREATE OR REPLACE VIEW); the parser never produces it. */
  internal?: true;
}

const AE: LockMode = "ACCESS EXCLUSIVE";
const SUE: LockMode = "SHARE UPDATE EXCLUSIVE";
const SRE: LockMode = "SHARE ROW EXCLUSIVE";
const always = () => true;
const constraintLock = (cmd: Node): LockMode => (cmd.def?.Constraint?.contype === "CONSTR_FOREIGN" ? SRE : AE);
const column = (cmd: Node, at: Where) => display(at.table, cmd.name);
const defElems = (cmd: Node): Node[] => ((cmd.def?.List?.items as Node[]) ?? []).map((i) => i.DefElem ?? {});

/** Turning something off that older app versions may rely on. */
const removes =
  (rule: string, what: (cmd: Node, at: Where) => string, suggestion: string) => (cmd: Node, at: Where) => [
    contract(
      rule,
      `${what(cmd, at)}: an older app version may rely on it, and an app rollback does not bring it back.`,
      suggestion,
    ),
  ];

export const ALTER_TABLE_COMMANDS: Record<AlterTableType, CommandClass> = {
  AT_AddColumn: {
    lock: AE,
    rewrites: (cmd) => addColumnRewrite(cmd) !== null,
    judge: (cmd, at) => addColumn(cmd, at.table, at.fresh, at.objtype !== "OBJECT_TYPE"),
  },
  AT_AddColumnToView: { lock: AE, internal: true },
  AT_ColumnDefault: {
    lock: AE,
    judge: (cmd, at) =>
      cmd.def
        ? []
        : removes(
            "drop-default",
            () => `Drops the default of ${column(cmd, at)}`,
            "Keep the default until no released app version inserts without the column; drop it in a contract script.",
          )(cmd, at),
  },
  AT_CookedColumnDefault: { lock: AE, internal: true },
  AT_DropNotNull: { lock: AE },
  AT_SetNotNull: {
    lock: AE,
    judge: (cmd, at) => [
      contract(
        "set-not-null",
        `Makes ${column(cmd, at)} NOT NULL: older app versions that insert without it fail, and the check scans the table under an exclusive lock.`,
        `Add CHECK (${cmd.name} IS NOT NULL) NOT VALID, VALIDATE it separately, then SET NOT NULL in a contract script once no older version can write nulls.`,
        columnObject(at, cmd.name, "not_null"),
      ),
    ],
  },
  AT_SetExpression: {
    lock: AE,
    rewrites: always,
    judge: (cmd, at) => [
      locking(
        "set-expression",
        `Changes the generation expression of ${column(cmd, at)}: the whole table is rewritten under an ACCESS EXCLUSIVE lock.`,
        "Add a new generated (or trigger-maintained) column, move the app to it, and drop the old one later.",
      ),
    ],
  },
  AT_DropExpression: {
    lock: AE,
    judge: removes(
      "drop-expression",
      (cmd, at) => `Turns the generated column ${column(cmd, at)} into a plain one: new rows no longer get it computed`,
      "Keep it generated until no released app version relies on it.",
    ),
  },
  AT_SetStatistics: { lock: SUE },
  AT_SetOptions: { lock: SUE },
  AT_ResetOptions: { lock: SUE },
  AT_SetStorage: { lock: AE },
  AT_SetCompression: { lock: AE },
  AT_DropColumn: { lock: AE, judge: dropColumn },
  AT_AddIndex: {
    lock: AE,
    internal: true,
    judge: (cmd, at) => [
      locking(
        "add-unique-without-using-index",
        `Builds an index on ${display(at.table)} under an exclusive lock.`,
        "CREATE INDEX CONCURRENTLY, then attach it with USING INDEX.",
      ),
    ],
  },
  AT_ReAddIndex: { lock: AE, internal: true },
  AT_AddConstraint: { lock: constraintLock, judge: (cmd, at) => addConstraint(cmd.def?.Constraint ?? {}, at.table) },
  AT_ReAddConstraint: { lock: constraintLock, internal: true },
  AT_ReAddDomainConstraint: { lock: AE, internal: true },
  AT_AlterConstraint: { lock: AE },
  AT_ValidateConstraint: { lock: SUE },
  AT_AddIndexConstraint: { lock: AE, internal: true },
  AT_DropConstraint: {
    lock: AE,
    judge: (cmd, at) => [
      contract(
        "drop-constraint",
        `Drops constraint ${cmd.name} on ${display(at.table)}: older app versions may rely on the guarantee it gave.`,
        "Drop or replace constraints in a contract script after the rollback window.",
      ),
    ],
  },
  AT_ReAddComment: { lock: AE, internal: true },
  AT_AlterColumnType: {
    lock: AE,
    rewrites: always,
    judge: (cmd, at) => [
      contract(
        "change-column-type",
        `Changes the type of ${column(cmd, at)}: older app versions may read or write values of the old type, and the table is usually rewritten under an exclusive lock.`,
        "Add a new column of the new type, backfill it in batches, move the app to it, and drop the old column in a contract script.",
        columnObject(at, cmd.name, "type_changed"),
      ),
    ],
  },
  AT_AlterColumnGenericOptions: { lock: AE },
  AT_ChangeOwner: { lock: AE, judge: (cmd, at) => changeOwner(display(at.table), cmd.newowner?.rolename) },
  AT_ClusterOn: { lock: SUE },
  AT_DropCluster: { lock: SUE },
  AT_SetLogged: {
    lock: AE,
    rewrites: always,
    judge: (_cmd, at) => [rewriteFinding("set-logged", `SET LOGGED rewrites ${display(at.table)}`)],
  },
  AT_SetUnLogged: {
    lock: AE,
    rewrites: always,
    judge: (_cmd, at) => [rewriteFinding("set-logged", `SET UNLOGGED rewrites ${display(at.table)}`)],
  },
  AT_DropOids: { lock: AE },
  AT_SetAccessMethod: {
    lock: AE,
    rewrites: always,
    judge: (_cmd, at) => [rewriteFinding("set-access-method", `SET ACCESS METHOD rewrites ${display(at.table)}`)],
  },
  AT_SetTableSpace: {
    lock: AE,
    rewrites: always,
    judge: (_cmd, at) => [rewriteFinding("set-tablespace", `SET TABLESPACE copies ${display(at.table)} file by file`)],
  },
  AT_SetRelOptions: { lock: relOptionsLock },
  AT_ResetRelOptions: { lock: relOptionsLock },
  AT_ReplaceRelOptions: { lock: AE, internal: true },
  AT_EnableTrig: { lock: SRE },
  AT_EnableAlwaysTrig: { lock: SRE },
  AT_EnableReplicaTrig: { lock: SRE },
  AT_DisableTrig: {
    lock: SRE,
    judge: removes(
      "disable-trigger",
      (cmd, at) => `Disables trigger ${cmd.name} on ${display(at.table)}`,
      "Disable or drop triggers in a contract script once no released app version relies on what they do.",
    ),
  },
  AT_EnableTrigAll: { lock: SRE },
  AT_DisableTrigAll: {
    lock: SRE,
    judge: removes(
      "disable-trigger",
      (_cmd, at) => `Disables every trigger on ${display(at.table)}, foreign-key checks included`,
      "Never disable all triggers in a migration; backfill in batches with them on.",
    ),
  },
  AT_EnableTrigUser: { lock: SRE },
  AT_DisableTrigUser: {
    lock: SRE,
    judge: removes(
      "disable-trigger",
      (_cmd, at) => `Disables the user triggers on ${display(at.table)}`,
      "Disable or drop triggers in a contract script once no released app version relies on what they do.",
    ),
  },
  AT_EnableRule: { lock: AE },
  AT_EnableAlwaysRule: { lock: AE },
  AT_EnableReplicaRule: { lock: AE },
  AT_DisableRule: {
    lock: AE,
    judge: removes(
      "disable-rule",
      (cmd, at) => `Disables rule ${cmd.name} on ${display(at.table)}: queries on the table stop being rewritten`,
      "Disable or drop rules in a contract script.",
    ),
  },
  AT_AddInherit: { lock: AE },
  AT_DropInherit: {
    lock: AE,
    judge: removes(
      "drop-inherit",
      (cmd, at) =>
        `Detaches ${display(at.table)} from parent ${display(rangeVar(cmd.def?.RangeVar))}: its rows vanish from queries on the parent`,
      "Detach children in a contract script.",
    ),
  },
  AT_AddOf: { lock: AE },
  AT_DropOf: { lock: AE },
  AT_ReplicaIdentity: { lock: AE },
  AT_EnableRowSecurity: {
    lock: AE,
    judge: (_cmd, at) => [
      contract(
        "enable-row-security",
        `Enables row-level security on ${display(at.table)}: roles without a matching policy suddenly see and change no rows.`,
        "Create the policies first and check the app's role is covered; enable RLS in a contract script.",
      ),
    ],
  },
  AT_DisableRowSecurity: { lock: AE },
  AT_ForceRowSecurity: {
    lock: AE,
    judge: (_cmd, at) => [
      contract(
        "enable-row-security",
        `Forces row-level security on ${display(at.table)} for its owner too: an app connected as the owner may suddenly see no rows.`,
        "Check the owner role is covered by a policy; force RLS in a contract script.",
      ),
    ],
  },
  AT_NoForceRowSecurity: { lock: AE },
  AT_GenericOptions: { lock: AE },
  AT_AttachPartition: { lock: SUE },
  AT_DetachPartition: {
    lock: (cmd) => (cmd.def?.PartitionCmd?.concurrent ? SUE : AE),
    judge: (cmd, at) => detach(cmd, at),
  },
  AT_DetachPartitionFinalize: { lock: SUE, judge: (cmd, at) => detach(cmd, at) },
  AT_AddIdentity: {
    lock: AE,
    judge: (cmd, at) => (cmd.def?.Constraint?.generated_when === "a" ? [identityAlways(column(cmd, at))] : []),
  },
  AT_SetIdentity: { lock: AE, judge: (cmd, at) => setIdentity(cmd, column(cmd, at)) },
  AT_DropIdentity: {
    lock: AE,
    judge: removes(
      "drop-identity",
      (cmd, at) => `Drops the identity of ${column(cmd, at)}: inserts that leave it out get no value`,
      "Keep the identity until no released app version inserts without the column.",
    ),
  },
  AT_ReAddStatistics: { lock: SUE, internal: true },
};

// View options that change what a query sees need the strongest lock; storage options do not.
const VIEW_OPTIONS = new Set(["check_option", "security_barrier", "security_invoker"]);
function relOptionsLock(cmd: Node): LockMode {
  return defElems(cmd).some((d) => VIEW_OPTIONS.has(d.defname)) ? AE : SUE;
}

function dropColumn(cmd: Node, at: Where): RawFinding[] {
  const where = column(cmd, at);
  return [
    contract(
      "drop-column",
      `Drops column ${where}: an app version that still reads or writes it breaks, and an app rollback no longer helps.`,
      `Ship an app version that no longer uses ${where}, wait out the rollback window, then drop it in a contract script.`,
      columnObject(at, cmd.name, "dropped"),
    ),
  ];
}

function columnObject(at: Where, name: string, change: string): RemovedObject {
  return at.table.schema
    ? { kind: "column", schema: at.table.schema, table: at.table.name, name, change }
    : { kind: "column", table: at.table.name, name, change };
}

function rewriteFinding(rule: string, what: string): RawFinding {
  return locking(
    rule,
    `${what} under an ACCESS EXCLUSIVE lock: nothing can read or write it meanwhile.`,
    "Do this in a maintenance window, or use pg_repack / logical replication to move data online.",
  );
}

function detach(cmd: Node, at: Where): RawFinding[] {
  const partition = display(rangeVar(cmd.def?.PartitionCmd?.name));
  return [
    contract(
      "detach-partition",
      `Detaches partition ${partition} from ${display(at.table)}: its rows vanish from every query on ${display(at.table)}.`,
      "Detach partitions in a contract script, after no released app version reads those rows through the parent.",
      { kind: "table", ...rangeVar(cmd.def?.PartitionCmd?.name), change: "detached" },
    ),
  ];
}

function identityAlways(where: string): RawFinding {
  return contract(
    "identity-always",
    `Makes ${where} GENERATED ALWAYS: older app versions that insert their own values fail.`,
    "Use GENERATED BY DEFAULT while older versions may still write the column.",
  );
}

function setIdentity(cmd: Node, where: string): RawFinding[] {
  const out: RawFinding[] = [];
  for (const d of defElems(cmd)) {
    if (d.defname === "generated" && d.arg?.Integer?.ival === 97) out.push(identityAlways(where));
    if (d.defname === "restart")
      out.push(
        contract(
          "restart-sequence",
          `Restarts the identity of ${where}: new rows may repeat ids that already exist.`,
          "Leave identities and sequences running; if a restart is unavoidable, do it in a contract script above the current maximum.",
        ),
      );
  }
  return out;
}

export function changeOwner(what: string, owner: string | undefined): RawFinding[] {
  return [
    contract(
      "change-owner",
      `Gives ${what} to ${owner ?? "another role"}: the old owner loses its implicit rights, and an app that connects as it gets permission errors.`,
      "Change ownership in a contract script, after granting the app's role what it needs explicitly.",
    ),
  ];
}

/** The ALTER TABLE rule: every sub-command judged, unknown ones reported. */
export function alterTable(stmt: Node, ctx: Context): RawFinding[] {
  const table = rangeVar(stmt.relation);
  const at: Where = { table, fresh: createdHere(table, ctx.state), objtype: stmt.objtype };
  const out: RawFinding[] = [];
  for (const item of (stmt.cmds as Node[] | undefined) ?? []) {
    const cmd = item.AlterTableCmd as Node;
    const entry = COMPILED.get(cmd.subtype as string);
    if (!entry) out.push(unclassified(`ALTER TABLE sub-command ${cmd.subtype}`));
    else if (entry.judge) for (const f of entry.judge(cmd, at)) out.push(f);
    if (cmd.subtype === "AT_DropColumn" || cmd.subtype === "AT_DropConstraint")
      if (!cmd.missing_ok)
        out.push(
          notIdempotent(
            "drop-without-if-exists",
            `DROP ${cmd.subtype === "AT_DropColumn" ? "COLUMN" : "CONSTRAINT"} ${cmd.name} fails when run a second time.`,
            `Write DROP ${cmd.subtype === "AT_DropColumn" ? "COLUMN" : "CONSTRAINT"} IF EXISTS.`,
          ),
        );
  }
  // Nothing released uses a table this script created: only idempotency still matters.
  return at.fresh ? out.filter((f) => f.category === "non_idempotent" || f.rule === "unclassified-statement") : out;
}

interface CompiledCommand {
  lock: (cmd: Node) => LockMode;
  rewrites: (cmd: Node) => boolean;
  judge: ((cmd: Node, at: Where) => RawFinding[]) | null;
}
const never = () => false;
// One shape for every sub-command, so the loops below read it monomorphically.
const COMPILED = new Map<string, CompiledCommand>(
  Object.entries(ALTER_TABLE_COMMANDS as Record<string, CommandClass>).map(([subtype, e]) => {
    const lock = e.lock;
    return [
      subtype,
      { lock: typeof lock === "function" ? lock : () => lock, rewrites: e.rewrites ?? never, judge: e.judge ?? null },
    ];
  }),
);

export function alterTableLock(stmt: Node): LockMode | null {
  // ALTER TYPE … ADD ATTRIBUTE locks no table; the other object types lock the relation.
  if (stmt.objtype === "OBJECT_TYPE") return null;
  let lock: LockMode | null = null;
  for (const item of (stmt.cmds as Node[] | undefined) ?? []) {
    const cmd = item.AlterTableCmd as Node;
    const entry = COMPILED.get(cmd.subtype as string);
    lock = stronger(lock, entry ? entry.lock(cmd) : AE);
  }
  return lock;
}

export function alterTableRewrites(stmt: Node): boolean {
  if (stmt.objtype !== "OBJECT_TABLE" && stmt.objtype !== "OBJECT_MATVIEW" && stmt.objtype !== "OBJECT_INDEX")
    return false;
  for (const item of (stmt.cmds as Node[] | undefined) ?? []) {
    const cmd = item.AlterTableCmd as Node;
    if (COMPILED.get(cmd.subtype as string)?.rewrites(cmd)) return true;
  }
  return false;
}
