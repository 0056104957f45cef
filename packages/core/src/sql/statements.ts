import type { Node as PgNode } from "libpg-query";
import { lockOfMode } from "./locks.ts";
import { alterTable, alterTableLock, alterTableRewrites } from "./rules/alter-table.ts";
import * as catalog from "./rules/catalog.ts";
import {
  copyQuery,
  doBlock,
  explainAnalyze,
  functionBody,
  nestedDataChanges,
  prepared,
  ruleActions,
} from "./rules/code.ts";
import {
  deleteRows,
  dropObjects,
  mergeRows,
  moveToSchema,
  renameObject,
  revoke,
  revokeRole,
  truncate,
} from "./rules/contract.ts";
import { addEnumValue, createOther, createTable, dropWithoutIfExists } from "./rules/idempotency.ts";
import {
  cluster,
  concurrentReindex,
  createIndex,
  dropIndex,
  explicitLock,
  moveAllTables,
  refreshMatView,
  reindex,
  updateWithoutWhere,
  vacuum,
  vacuumFull,
} from "./rules/locking.ts";
import { dropObjectName, rangeVar, tableOfMember } from "./rules/names.ts";
import type { LockMode, Node, QualifiedName, Rule } from "./types.ts";

// Every statement node type of PostgreSQL's grammar (libpg-query's own type list, so the
// compiler refuses a missing one) with its rules, the lock it takes and on what. A statement
// without rules is safe as written. Locks are those of PostgreSQL's documentation: the
// "Explicit Locking" table and each command's page.

type KeysOf<T> = T extends unknown ? keyof T : never;
export type StatementType = Exclude<Extract<KeysOf<PgNode>, `${string}Stmt`>, "RawStmt">;

export interface StatementClass {
  rules?: Rule[];
  /** The lock taken on `target`; a function when it depends on the statement. */
  lock?: LockMode | null | ((node: Node) => LockMode | null);
  target?: (node: Node) => QualifiedName | null;
  rewrites?: (node: Node) => boolean;
  /** Never a statement of its own: PostgreSQL builds it inside another one. */
  inner?: true;
}

const AE: LockMode = "ACCESS EXCLUSIVE";
const SUE: LockMode = "SHARE UPDATE EXCLUSIVE";
// One small function per field: property access by a variable key is slow on the hot path.
const relation = (n: Node) => (n.relation ? rangeVar(n.relation) : null);
const firstRangeVar = (key: string) => (n: Node) => (n[key]?.[0]?.RangeVar ? rangeVar(n[key][0].RangeVar) : null);
const always = () => true;
const RELATIONS = new Set([
  "OBJECT_TABLE",
  "OBJECT_VIEW",
  "OBJECT_MATVIEW",
  "OBJECT_SEQUENCE",
  "OBJECT_FOREIGN_TABLE",
  "OBJECT_INDEX",
]);
const ON_TABLE = new Set(["OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE"]);

function dropLock(n: Node): LockMode | null {
  if (n.removeType === "OBJECT_INDEX") return n.concurrent ? SUE : AE;
  return RELATIONS.has(n.removeType) || ON_TABLE.has(n.removeType) ? AE : null;
}
function dropTarget(n: Node): QualifiedName | null {
  const first = (n.objects as Node[] | undefined)?.[0];
  if (!first) return null;
  if (ON_TABLE.has(n.removeType)) return tableOfMember(first);
  return RELATIONS.has(n.removeType) ? dropObjectName(first) : null;
}
function renameLock(n: Node): LockMode | null {
  if (n.renameType === "OBJECT_INDEX") return SUE;
  return n.relation ? AE : null;
}
/** COMMENT ON and SECURITY LABEL take SHARE UPDATE EXCLUSIVE on a relation (or a column's table). */
function commentTarget(n: Node): QualifiedName | null {
  if (n.objtype === "OBJECT_COLUMN") return tableOfMember(n.object);
  return RELATIONS.has(n.objtype) ? dropObjectName(n.object) : null;
}

export const STATEMENTS: Record<StatementType, StatementClass> = {
  // Data: row locks only, unless a change hides in a CTE or deletes rows.
  SelectStmt: {
    rules: [nestedDataChanges],
    lock: (n) => (n.lockingClause ? "ROW SHARE" : "ACCESS SHARE"),
    target: firstRangeVar("fromClause"),
  },
  InsertStmt: { rules: [nestedDataChanges], lock: "ROW EXCLUSIVE", target: relation },
  UpdateStmt: { rules: [updateWithoutWhere, nestedDataChanges], lock: "ROW EXCLUSIVE", target: relation },
  DeleteStmt: { rules: [deleteRows, nestedDataChanges], lock: "ROW EXCLUSIVE", target: relation },
  MergeStmt: { rules: [mergeRows, nestedDataChanges], lock: "ROW EXCLUSIVE", target: relation },
  CopyStmt: {
    rules: [copyQuery],
    lock: (n) => (n.relation ? (n.is_from ? "ROW EXCLUSIVE" : "ACCESS SHARE") : null),
    target: relation,
  },
  SetOperationStmt: { inner: true },
  ReturnStmt: { inner: true },
  PLAssignStmt: { inner: true },
  CallStmt: {},
  DeclareCursorStmt: { rules: [nestedDataChanges] },
  FetchStmt: {},
  ClosePortalStmt: {},
  PrepareStmt: { rules: [prepared] },
  ExecuteStmt: {},
  DeallocateStmt: {},
  ExplainStmt: { rules: [explainAnalyze] },
  // Code inside code.
  DoStmt: { rules: [doBlock] },
  CreateFunctionStmt: { rules: [functionBody] },
  AlterFunctionStmt: {},
  // Session and transaction control.
  TransactionStmt: {},
  VariableSetStmt: {},
  VariableShowStmt: {},
  ConstraintsSetStmt: {},
  DiscardStmt: {},
  ListenStmt: {},
  UnlistenStmt: {},
  NotifyStmt: {},
  LoadStmt: {},
  CheckPointStmt: {},
  // Tables, columns, indexes.
  CreateStmt: {
    rules: [createTable],
    lock: (n) => (n.partbound ? AE : n.inhRelations ? SUE : null),
    target: (n) => (n.inhRelations ? firstRangeVar("inhRelations")(n) : null),
  },
  CreateTableAsStmt: { rules: [nestedDataChanges] },
  AlterTableStmt: { rules: [alterTable], lock: alterTableLock, target: relation, rewrites: alterTableRewrites },
  AlterTableMoveAllStmt: { rules: [moveAllTables], lock: AE, rewrites: always },
  ReplicaIdentityStmt: { inner: true },
  TruncateStmt: { rules: [truncate], lock: AE, target: firstRangeVar("relations") },
  DropStmt: { rules: [dropObjects, dropIndex, dropWithoutIfExists], lock: dropLock, target: dropTarget },
  RenameStmt: { rules: [renameObject], lock: renameLock, target: relation },
  AlterObjectSchemaStmt: { rules: [moveToSchema], lock: (n) => (n.relation ? AE : null), target: relation },
  AlterOwnerStmt: { rules: [catalog.alterOwner] },
  IndexStmt: { rules: [createIndex], lock: (n) => (n.concurrent ? SUE : "SHARE"), target: relation },
  ReindexStmt: { rules: [reindex], lock: (n) => (concurrentReindex(n) ? SUE : "SHARE"), target: relation },
  ClusterStmt: { rules: [cluster], lock: AE, target: relation, rewrites: always },
  VacuumStmt: {
    rules: [vacuum],
    lock: (n) => (vacuumFull(n) ? AE : SUE),
    target: (n) => (n.rels?.[0] ? rangeVar(n.rels[0].VacuumRelation?.relation) : null),
    rewrites: (n) => vacuumFull(n),
  },
  LockStmt: { rules: [explicitLock], lock: (n) => lockOfMode(n.mode), target: firstRangeVar("relations") },
  CreateStatsStmt: { lock: SUE, target: firstRangeVar("relations") },
  AlterStatsStmt: {},
  CommentStmt: { lock: (n) => (commentTarget(n) ? SUE : null), target: commentTarget },
  SecLabelStmt: { lock: (n) => (commentTarget(n) ? SUE : null), target: commentTarget },
  // Views, triggers, rules, policies: each locks the table it is on.
  ViewStmt: { lock: (n) => (n.replace ? AE : null), target: (n) => (n.replace ? rangeVar(n.view) : null) },
  RefreshMatViewStmt: {
    rules: [refreshMatView],
    lock: (n) => (n.concurrent ? "EXCLUSIVE" : AE),
    target: relation,
    rewrites: (n) => !n.concurrent,
  },
  CreateTrigStmt: { lock: "SHARE ROW EXCLUSIVE", target: relation },
  CreateEventTrigStmt: {},
  AlterEventTrigStmt: {},
  RuleStmt: { rules: [catalog.createRule, ruleActions], lock: AE, target: relation },
  CreatePolicyStmt: { rules: [catalog.createPolicy], lock: AE, target: (n) => rangeVar(n.table) },
  AlterPolicyStmt: { rules: [catalog.alterPolicy], lock: AE, target: (n) => rangeVar(n.table) },
  // Types, domains, sequences, schemas, extensions and other catalog objects.
  CreateSchemaStmt: { rules: [createOther("SCHEMA")] },
  CreateSeqStmt: { rules: [createOther("SEQUENCE")] },
  AlterSeqStmt: { rules: [catalog.alterSequence], lock: "SHARE ROW EXCLUSIVE", target: (n) => rangeVar(n.sequence) },
  CompositeTypeStmt: {},
  CreateEnumStmt: {},
  AlterEnumStmt: { rules: [catalog.alterEnum, addEnumValue] },
  CreateRangeStmt: {},
  CreateDomainStmt: {},
  AlterDomainStmt: { rules: [catalog.alterDomain] },
  AlterTypeStmt: {},
  DefineStmt: {},
  CreateCastStmt: {},
  CreateConversionStmt: {},
  CreateTransformStmt: {},
  CreateOpClassStmt: {},
  CreateOpFamilyStmt: {},
  AlterOpFamilyStmt: { rules: [catalog.alterOperatorFamily] },
  AlterOperatorStmt: {},
  AlterCollationStmt: {},
  AlterTSDictionaryStmt: {},
  AlterTSConfigurationStmt: { rules: [catalog.alterTextSearch] },
  CreateAmStmt: {},
  CreatePLangStmt: {},
  CreateExtensionStmt: { rules: [createOther("EXTENSION")] },
  AlterExtensionStmt: { rules: [catalog.alterExtension] },
  AlterExtensionContentsStmt: {},
  AlterObjectDependsStmt: {},
  // Privileges, roles, ownership and stored settings.
  GrantStmt: { rules: [revoke] },
  GrantRoleStmt: { rules: [revokeRole] },
  AlterDefaultPrivilegesStmt: {},
  CreateRoleStmt: {},
  AlterRoleStmt: { rules: [catalog.alterRole] },
  AlterRoleSetStmt: { rules: [catalog.persistentSearchPath] },
  DropRoleStmt: {
    rules: [
      catalog.dropNamed("role", "drop-role", (n) => (n.roles as Node[]).map((r) => r.RoleSpec?.rolename).join(", ")),
    ],
  },
  DropOwnedStmt: { rules: [catalog.dropOwned] },
  ReassignOwnedStmt: { rules: [catalog.reassignOwned] },
  // Databases, tablespaces, server settings.
  CreatedbStmt: {},
  AlterDatabaseStmt: { rules: [catalog.alterDatabase] },
  AlterDatabaseSetStmt: { rules: [catalog.persistentSearchPath] },
  AlterDatabaseRefreshCollStmt: {},
  DropdbStmt: { rules: [catalog.dropNamed("database", "drop-database", (n) => n.dbname)] },
  AlterSystemStmt: { rules: [catalog.persistentSearchPath] },
  CreateTableSpaceStmt: {},
  AlterTableSpaceOptionsStmt: {},
  DropTableSpaceStmt: { rules: [catalog.dropNamed("tablespace", "drop-object", (n) => n.tablespacename)] },
  // Foreign data and replication.
  CreateFdwStmt: {},
  AlterFdwStmt: {},
  CreateForeignServerStmt: {},
  AlterForeignServerStmt: {},
  CreateForeignTableStmt: {},
  ImportForeignSchemaStmt: {},
  CreateUserMappingStmt: {},
  AlterUserMappingStmt: {},
  DropUserMappingStmt: {
    rules: [
      catalog.dropNamed("user mapping", "drop-object", (n) => `for ${n.user?.rolename ?? "?"} on ${n.servername}`),
    ],
  },
  CreatePublicationStmt: {},
  AlterPublicationStmt: { rules: [catalog.alterPublication] },
  CreateSubscriptionStmt: {},
  AlterSubscriptionStmt: {},
  DropSubscriptionStmt: { rules: [catalog.dropNamed("subscription", "drop-object", (n) => n.subname)] },
};
