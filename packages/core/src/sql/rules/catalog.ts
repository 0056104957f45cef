import type { Context, Node, RawFinding } from "../types.ts";
import { changeOwner } from "./alter-table.ts";
import { createdHere } from "./contract.ts";
import { contract, locking } from "./findings.ts";
import { display, dropObjectName, nameParts, rangeVar } from "./names.ts";

// Catalog objects other than tables and columns: sequences, enum values, domains, policies,
// rules, roles, settings, extensions, publications, ownership.

const defElems = (list: Node[] | undefined): Node[] => (list ?? []).map((o) => o.DefElem ?? {});

/** Options that make nextval() fail or repeat values the app already stored. */
const BREAKING_SEQUENCE_OPTIONS = new Set(["restart", "maxvalue", "minvalue", "as"]);

export function alterSequence(stmt: Node, ctx: Context): RawFinding[] {
  const seq = rangeVar(stmt.sequence);
  if (createdHere(seq, ctx.state)) return [];
  const breaking = defElems(stmt.options).filter(
    (d) => BREAKING_SEQUENCE_OPTIONS.has(d.defname) || (d.defname === "cycle" && d.arg?.Boolean?.boolval !== false),
  );
  if (breaking.length === 0) return [];
  return [
    contract(
      "alter-sequence",
      `Changes ${breaking.map((d) => d.defname.toUpperCase()).join(", ")} of sequence ${display(seq)}: new ids may repeat existing ones or run out.`,
      "Leave running sequences alone; if a change is unavoidable, do it in a contract script after checking the current maximum.",
    ),
  ];
}

export function alterEnum(stmt: Node): RawFinding[] {
  if (!stmt.oldVal) return [];
  const type = display(dropObjectName(stmt.typeName));
  return [
    contract(
      "rename-enum-value",
      `Renames value '${stmt.oldVal}' of ${type} to '${stmt.newVal}': older app versions still write and compare the old label.`,
      "Add the new value (expand), move the app to it and migrate rows, then stop using the old one.",
    ),
  ];
}

export function alterDomain(stmt: Node): RawFinding[] {
  const domain = display(dropObjectName(stmt.typeName));
  switch (stmt.subtype) {
    case "O":
      return [
        contract(
          "set-not-null",
          `Makes domain ${domain} NOT NULL: older app versions that write nulls into any column of it fail, and every such column is checked.`,
          "Add a CHECK (VALUE IS NOT NULL) NOT VALID constraint, validate it, and enforce NOT NULL in a contract script.",
        ),
      ];
    case "C":
      return stmt.def?.Constraint?.skip_validation
        ? []
        : [
            locking(
              "add-check-without-not-valid",
              `Adds a constraint to domain ${domain} and checks every column that uses it at once, locking those tables.`,
              "Add it NOT VALID, then ALTER DOMAIN … VALIDATE CONSTRAINT separately.",
            ),
          ];
    case "X":
      return [
        contract(
          "drop-constraint",
          `Drops constraint ${stmt.name} of domain ${domain}: older app versions may rely on the guarantee it gave.`,
          "Drop constraints in a contract script after the rollback window.",
        ),
      ];
    default:
      return [];
  }
}

export function createPolicy(stmt: Node, ctx: Context): RawFinding[] {
  if (stmt.permissive || createdHere(rangeVar(stmt.table), ctx.state)) return [];
  return [
    contract(
      "restrictive-policy",
      `Creates the restrictive policy ${stmt.policy_name} on ${display(rangeVar(stmt.table))}: rows older app versions could read or write may now be refused.`,
      "Restrictive policies narrow access: add them in a contract script once every released version satisfies them.",
    ),
  ];
}

export function alterPolicy(stmt: Node): RawFinding[] {
  return [
    contract(
      "alter-policy",
      `Changes policy ${stmt.policy_name} on ${display(rangeVar(stmt.table))}: older app versions may lose access to rows they read or write.`,
      "Add a new permissive policy beside the old one (expand); narrow or drop the old one in a contract script.",
    ),
  ];
}

export function createRule(stmt: Node, ctx: Context): RawFinding[] {
  const table = rangeVar(stmt.relation);
  if (!stmt.instead || createdHere(table, ctx.state)) return [];
  return [
    contract(
      "instead-rule",
      `Creates the INSTEAD rule ${stmt.rulename} on ${display(table)}: ${String(stmt.event).replace("CMD_", "")} statements of older app versions are silently rewritten.`,
      "Use a trigger or a view for compatibility; rules that replace statements belong in a contract script.",
    ),
  ];
}

/** Role attributes whose loss locks an app out; granting any of them is harmless. */
export function alterRole(stmt: Node): RawFinding[] {
  const narrowing = defElems(stmt.options).filter((d) => d.arg?.Boolean?.boolval !== true && d.defname !== "addroleto");
  if (narrowing.length === 0) return [];
  return [
    contract(
      "alter-role",
      `Changes ${narrowing.map((d) => d.defname).join(", ")} of role ${stmt.role?.rolename ?? "?"}: an app connecting as it may be locked out or lose rights.`,
      "Change login roles in a contract script, after every running app version has the new credentials or rights.",
    ),
  ];
}

/** search_path decides which object an unqualified name means: changing it persistently re-points older app versions. */
export function persistentSearchPath(stmt: Node): RawFinding[] {
  const set = stmt.setstmt ?? {};
  if (set.name !== "search_path" && set.kind !== "VAR_RESET_ALL") return [];
  return [
    contract(
      "alter-search-path",
      "Changes the stored search_path: unqualified names in older app versions may resolve to other objects, or to none.",
      "Qualify names in the app first; change stored settings in a contract script.",
    ),
  ];
}

export function alterDatabase(stmt: Node): RawFinding[] {
  const options = defElems(stmt.options);
  if (options.some((d) => d.defname === "tablespace"))
    return [
      locking(
        "set-tablespace",
        `Moves database ${stmt.dbname} to another tablespace: it needs every connection closed and copies every table.`,
        "Move a database in a maintenance window, not in a migration.",
      ),
    ];
  const limiting = options.filter((d) => d.defname === "connection_limit" || d.defname === "allow_connections");
  if (limiting.length === 0) return [];
  return [
    contract(
      "alter-database-connections",
      `Changes ${limiting.map((d) => d.defname).join(", ")} of database ${stmt.dbname}: app connections may be refused.`,
      "Change connection settings outside migrations, with the platform team.",
    ),
  ];
}

export function alterOwner(stmt: Node, ctx: Context): RawFinding[] {
  const object = stmt.relation ? rangeVar(stmt.relation) : dropObjectName(stmt.object ?? {});
  if (createdHere(object, ctx.state)) return [];
  return changeOwner(
    `${String(stmt.objectType).replace("OBJECT_", "").toLowerCase()} ${display(object)}`,
    stmt.newowner?.rolename,
  );
}

export function alterExtension(stmt: Node): RawFinding[] {
  return [
    contract(
      "alter-extension-update",
      `Updates extension ${stmt.extname}: its upgrade script may change or drop functions and types that Rollgate cannot see.`,
      "Read the extension's upgrade notes; update extensions in a contract script.",
    ),
  ];
}

export function dropOwned(): RawFinding[] {
  return [
    contract(
      "drop-owned",
      "DROP OWNED drops every object the roles own and revokes their privileges: whatever the app uses among them is gone.",
      "Drop the objects one by one, each in a contract script.",
    ),
  ];
}

export function reassignOwned(): RawFinding[] {
  return [
    contract(
      "change-owner",
      "REASSIGN OWNED gives every object of the roles to another role: an app connecting as the old owner loses its implicit rights.",
      "Grant the app's role what it needs explicitly, then reassign in a contract script.",
    ),
  ];
}

/** Objects dropped by their own statement types (DROP ROLE, DROP DATABASE, …) rather than DropStmt. */
export function dropNamed(kind: string, rule: string, nameOf: (stmt: Node) => string) {
  return (stmt: Node): RawFinding[] => [
    contract(
      rule,
      `Drops ${kind} ${nameOf(stmt)}: whatever an app version does through it stops working.`,
      `Drop the ${kind} in a contract script, after no released app version needs it.`,
    ),
  ];
}

export function alterPublication(stmt: Node): RawFinding[] {
  if (stmt.action !== "AP_DropObjects" && stmt.action !== "AP_SetObjects") return [];
  return [
    contract(
      "alter-publication",
      `Removes or replaces tables of publication ${stmt.pubname}: subscribers stop receiving their changes.`,
      "Add tables to publications in expand scripts; remove them in a contract script.",
    ),
  ];
}

export function alterTextSearch(stmt: Node): RawFinding[] {
  if (stmt.kind !== "ALTER_TSCONFIG_DROP_MAPPING") return [];
  return [
    contract(
      "alter-text-search",
      `Drops mappings of text search configuration ${nameParts(stmt.cfgname).join(".")}: searches and tsvector columns of older app versions change results.`,
      "Create a new configuration beside the old one and move the app to it.",
    ),
  ];
}

export function alterOperatorFamily(stmt: Node): RawFinding[] {
  if (!stmt.isDrop) return [];
  return [
    contract(
      "drop-object",
      `Drops operators or functions from operator family ${nameParts(stmt.opfamilyname).join(".")}: indexes and queries that use them break.`,
      "Drop operator family members in a contract script.",
    ),
  ];
}
