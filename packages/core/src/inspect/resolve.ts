import { parseSync } from "libpg-query";
import type { Node } from "../sql/types.ts";

// Which schema objects does a statement name? pg_stat_statements keeps normalised texts
// (`$1` for constants); each is parsed with PostgreSQL's own parser and its names resolved
// against the live catalog: aliases, `*` against the table's columns, CTEs, subqueries,
// `INSERT … (cols)`, `UPDATE … SET`, views (through their definition) and SQL functions
// (through their body). What cannot be resolved is said, never dropped.

export interface CatalogRelation {
  schema: string;
  name: string;
  kind: "table" | "view";
  columns: string[];
  /** For a view: what its definition names (read through the view). */
  reads?: Reference[];
}

export interface CatalogFunction {
  schema: string;
  name: string;
  language: string;
  /** For a SQL function: what its body names; for another language: null. */
  reads: Reference[] | null;
}

export interface Catalog {
  searchPath: string[];
  /** Keyed `schema.name`, lower case. */
  relations: Map<string, CatalogRelation>;
  functions: Map<string, CatalogFunction>;
  /** User-defined types and domains, `schema.name`. */
  types: Set<string>;
  /** `pg_stat_statements.track = all`: statements inside functions are counted on their own. */
  tracksNested: boolean;
}

export interface Reference {
  /** `schema.table`, `schema.table.column`, `schema.function` or `schema.type`. */
  object: string;
  kind: "table" | "column" | "function" | "type";
  mode: "read" | "write";
}

export interface Resolution {
  refs: Reference[];
  /** Why part of the statement could not be resolved (a missing relation, a parse error…). */
  unknown: string[];
  /** SET, BEGIN, DDL and the like: not application data access. */
  utility: boolean;
}

interface Rel {
  /** The name a query qualifies columns with: the alias, else the relation's name. */
  alias: string;
  /** Output columns; null when the relation is not in the catalog. */
  columns: string[] | null;
  /** The catalog relation behind it (a base table or a view). */
  target?: CatalogRelation;
  /** System catalogs: not the application's schema, never unknown. */
  system?: boolean;
}

interface Scope {
  rels: Rel[];
  ctes: Map<string, string[] | null>;
  parent?: Scope;
}

const SYSTEM_SCHEMAS = new Set(["pg_catalog", "information_schema", "pg_toast"]);
const DATA_STATEMENTS = new Set([
  "SelectStmt",
  "InsertStmt",
  "UpdateStmt",
  "DeleteStmt",
  "MergeStmt",
  "CopyStmt",
  "ExplainStmt",
  "DeclareCursorStmt",
  "CreateTableAsStmt",
]);

/** Parses one normalised statement and resolves the objects it names. Call `loadSqlParser()` first. */
export function resolveStatement(sql: string, catalog: Catalog): Resolution {
  let stmts: Node[];
  try {
    stmts = parseSync(sql).stmts ?? [];
  } catch (error) {
    return {
      refs: [],
      unknown: [`PostgreSQL's parser rejected the text: ${(error as Error).message}`],
      utility: false,
    };
  }
  const r = new Resolver(catalog);
  let utility = true;
  for (const raw of stmts) {
    const type = Object.keys(raw.stmt as Node)[0]!;
    if (!DATA_STATEMENTS.has(type)) continue;
    utility = false;
    r.statement(type, (raw.stmt as Node)[type] as Node, { rels: [], ctes: new Map() });
  }
  return { refs: r.refs(), unknown: [...r.unknown], utility };
}

class Resolver {
  private readonly found = new Map<string, Reference>();
  readonly unknown = new Set<string>();
  private readonly expanding = new Set<string>();

  constructor(private readonly catalog: Catalog) {}

  refs(): Reference[] {
    return [...this.found.values()];
  }

  private add(ref: Reference): void {
    const key = `${ref.mode}:${ref.object}`;
    if (!this.found.has(key)) this.found.set(key, ref);
  }

  statement(type: string, node: Node, scope: Scope): string[] | null {
    switch (type) {
      case "SelectStmt":
        return this.select(node, scope);
      case "InsertStmt":
        return this.insert(node, scope);
      case "UpdateStmt":
        return this.update(node, scope);
      case "DeleteStmt":
        return this.delete(node, scope);
      case "CopyStmt": {
        if (node.query) return this.nested(node.query, scope);
        const rel = this.relation(node.relation, scope, node.is_from ? "write" : "read");
        const cols = (node.attlist as Node[] | undefined)?.map((c) => c.String?.sval as string);
        this.columnsOf(rel, cols ?? rel.columns ?? [], node.is_from ? "write" : "read");
        return null;
      }
      case "ExplainStmt":
      case "DeclareCursorStmt":
        return this.nested(node.query, scope);
      case "CreateTableAsStmt":
        return this.nested(node.query, scope);
      default:
        this.unknown.add(`${type} is not resolved`);
        this.walk(node, scope);
        return null;
    }
  }

  private nested(wrapped: Node | undefined, scope: Scope): string[] | null {
    if (!wrapped) return null;
    const type = Object.keys(wrapped)[0]!;
    return this.statement(type, wrapped[type] as Node, scope);
  }

  private withCtes(node: Node, parent: Scope): Scope {
    const scope: Scope = { rels: [], ctes: new Map(), parent };
    for (const c of (node.withClause?.ctes as Node[] | undefined) ?? []) {
      const cte = c.CommonTableExpr as Node;
      const names = (cte.aliascolnames as Node[] | undefined)?.map((n) => n.String?.sval as string);
      // A recursive CTE names itself: visible (with unknown columns) while its own query resolves.
      scope.ctes.set(cte.ctename as string, names ?? null);
      const out = this.nested(cte.ctequery, scope);
      scope.ctes.set(cte.ctename as string, names ?? out);
    }
    return scope;
  }

  private select(node: Node, parent: Scope): string[] | null {
    const scope = this.withCtes(node, parent);
    if (node.op && node.op !== "SETOP_NONE") {
      const left = this.select(node.larg as Node, scope);
      this.select(node.rarg as Node, scope);
      this.walk(node.sortClause, scope);
      return left;
    }
    for (const list of (node.valuesLists as Node[] | undefined) ?? []) this.walk(list, scope);
    for (const item of (node.fromClause as Node[] | undefined) ?? []) this.from(item, scope);
    const out = this.targets(node.targetList as Node[] | undefined, scope);
    for (const part of [
      node.whereClause,
      node.groupClause,
      node.havingClause,
      node.sortClause,
      node.windowClause,
      node.distinctClause,
      node.limitCount,
      node.limitOffset,
    ])
      this.walk(part, scope);
    if (node.valuesLists)
      return (
        ((node.valuesLists as Node[])[0]?.List?.items as Node[] | undefined)?.map((_, i) => `column${i + 1}`) ?? []
      );
    return out;
  }

  private insert(node: Node, parent: Scope): null {
    const scope = this.withCtes(node, parent);
    const rel = this.relation(node.relation, scope, "write");
    const cols = (node.cols as Node[] | undefined)?.map((c) => c.ResTarget?.name as string);
    this.columnsOf(rel, cols ?? rel.columns ?? [], "write");
    if (node.selectStmt) this.nested(node.selectStmt, scope);
    const own: Scope = { rels: [rel], ctes: new Map(), parent: scope };
    const conflict = node.onConflictClause as Node | undefined;
    if (conflict) {
      own.rels.push({ alias: "excluded", columns: rel.columns });
      this.walk(conflict.infer, own);
      for (const t of (conflict.targetList as Node[] | undefined) ?? []) this.setTarget(t, rel, own);
      this.walk(conflict.whereClause, own);
    }
    this.walk(node.returningClause ?? node.returningList, own);
    return null;
  }

  private update(node: Node, parent: Scope): null {
    const scope = this.withCtes(node, parent);
    const rel = this.relation(node.relation, scope, "write");
    scope.rels.push(rel);
    for (const item of (node.fromClause as Node[] | undefined) ?? []) this.from(item, scope);
    for (const t of (node.targetList as Node[] | undefined) ?? []) this.setTarget(t, rel, scope);
    this.walk(node.whereClause, scope);
    this.walk(node.returningClause ?? node.returningList, scope);
    return null;
  }

  private delete(node: Node, parent: Scope): null {
    const scope = this.withCtes(node, parent);
    const rel = this.relation(node.relation, scope, "write");
    scope.rels.push(rel);
    for (const item of (node.usingClause as Node[] | undefined) ?? []) this.from(item, scope);
    this.walk(node.whereClause, scope);
    this.walk(node.returningClause ?? node.returningList, scope);
    return null;
  }

  /** `SET col = …` (and `SET (a, b) = …`): the column is written, the value read. */
  private setTarget(target: Node, rel: Rel, scope: Scope): void {
    const t = target.ResTarget as Node;
    this.columnsOf(rel, [t.name as string], "write");
    this.walk(t.val, scope);
  }

  private from(item: Node, scope: Scope): void {
    if (item.RangeVar) scope.rels.push(this.relation(item.RangeVar, scope, "read"));
    else if (item.JoinExpr) {
      const j = item.JoinExpr as Node;
      this.from(j.larg as Node, scope);
      this.from(j.rarg as Node, scope);
      for (const name of (j.usingClause as Node[] | undefined) ?? []) this.column([name.String?.sval as string], scope);
      this.walk(j.quals, scope);
    } else if (item.RangeSubselect) {
      const s = item.RangeSubselect as Node;
      // LATERAL subqueries see the relations before them; plain ones see only outer queries.
      const visible: Scope = s.lateral
        ? { rels: [...scope.rels], ctes: new Map(), parent: scope }
        : { rels: [], ctes: scope.ctes, parent: scope.parent };
      const out = this.nested(s.subquery, visible);
      scope.rels.push({
        alias: (s.alias?.aliasname as string | undefined) ?? "?subquery",
        columns: aliasColumns(s.alias) ?? out,
      });
    } else if (item.RangeFunction) {
      const f = item.RangeFunction as Node;
      this.walk(f.functions, scope);
      scope.rels.push({
        alias: (f.alias?.aliasname as string | undefined) ?? "?function",
        columns: aliasColumns(f.alias) ?? null,
        system: true,
      });
    } else this.walk(item, scope);
  }

  /** A relation named in FROM, INSERT, UPDATE or DELETE: a CTE, a catalog relation or a system one. */
  private relation(rv: Node | undefined, scope: Scope, mode: "read" | "write"): Rel {
    const name = (rv?.relname as string | undefined) ?? "?";
    const schema = rv?.schemaname as string | undefined;
    const alias = (rv?.alias?.aliasname as string | undefined) ?? name;
    if (!schema) {
      for (let s: Scope | undefined = scope; s; s = s.parent)
        if (s.ctes.has(name)) return { alias, columns: aliasColumns(rv?.alias) ?? s.ctes.get(name) ?? null };
    }
    const target = this.lookup(this.catalog.relations, name, schema);
    if (target) {
      this.add({ object: `${target.schema}.${target.name}`, kind: "table", mode });
      if (target.kind === "view") this.through(target);
      return { alias, columns: aliasColumns(rv?.alias) ?? target.columns, target };
    }
    if ((schema && SYSTEM_SCHEMAS.has(schema)) || (!schema && name.startsWith("pg_")))
      return { alias, columns: null, system: true };
    this.unknown.add(`relation ${schema ? `${schema}.` : ""}${name} is not in the catalog`);
    return { alias, columns: null };
  }

  /** Reading a view reads what its definition names. */
  private through(view: CatalogRelation): void {
    for (const ref of view.reads ?? []) this.add({ ...ref, mode: "read" });
  }

  private columnsOf(rel: Rel, columns: string[], mode: "read" | "write"): void {
    if (!rel.target) return;
    for (const c of columns) this.add({ object: `${rel.target.schema}.${rel.target.name}.${c}`, kind: "column", mode });
  }

  private targets(list: Node[] | undefined, scope: Scope): string[] {
    const out: string[] = [];
    for (const item of list ?? []) {
      const t = item.ResTarget as Node;
      const fields = t.val?.ColumnRef?.fields as Node[] | undefined;
      if (fields?.at(-1)?.A_Star) {
        out.push(...this.star(fields, scope));
        continue;
      }
      this.walk(t.val, scope);
      out.push(
        (t.name as string | undefined) ??
          (fields?.at(-1)?.String?.sval as string | undefined) ??
          (t.val?.FuncCall?.funcname as Node[] | undefined)?.at(-1)?.String?.sval ??
          "?column?",
      );
    }
    return out;
  }

  /** `*` and `t.*`: every column of the relations in scope (a `select *` reads a dropped column too). */
  private star(fields: Node[], scope: Scope): string[] {
    const qualifier = fields.length > 1 ? (fields.at(-2)?.String?.sval as string) : null;
    const rels = qualifier ? scope.rels.filter((r) => r.alias === qualifier) : scope.rels;
    const out: string[] = [];
    for (const rel of rels) {
      if (rel.columns === null) {
        if (!rel.system)
          this.unknown.add(`cannot expand ${qualifier ?? ""}* over ${rel.alias}: its columns are unknown`);
        continue;
      }
      this.columnsOf(rel, rel.columns, "read");
      out.push(...rel.columns);
    }
    return out;
  }

  private column(names: string[], scope: Scope): void {
    const column = names.at(-1)!;
    const qualifier = names.length > 1 ? names.at(-2)! : null;
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const candidates = qualifier
        ? s.rels.filter((r) => r.alias === qualifier || r.target?.name === qualifier)
        : s.rels.filter((r) => r.columns?.includes(column));
      const hit = candidates[0];
      if (hit) {
        if (hit.columns !== null && !hit.columns.includes(column) && !hit.system)
          this.unknown.add(`column ${names.join(".")} is not in ${hit.alias}`);
        this.columnsOf(hit, [column], "read");
        return;
      }
      // An unqualified name no known relation has may belong to one whose columns are unknown.
      const opaque = s.rels.find((r) => r.columns === null && !r.system);
      if (!qualifier && opaque) {
        this.unknown.add(`column ${column} may belong to ${opaque.alias}, whose columns are unknown`);
        return;
      }
    }
    // Neither a column in scope nor an unknown relation: an output alias (ORDER BY total) or a record field.
  }

  private func(call: Node, scope: Scope): void {
    const names = (call.funcname as Node[]).map((n) => n.String?.sval as string);
    const fn = this.lookup(this.catalog.functions, names.at(-1)!, names.length > 1 ? names.at(-2) : undefined);
    if (fn) {
      const key = `${fn.schema}.${fn.name}`;
      this.add({ object: key, kind: "function", mode: "read" });
      if (fn.reads) {
        if (!this.expanding.has(key)) {
          this.expanding.add(key);
          for (const ref of fn.reads) this.add(ref);
        }
      } else if (!this.catalog.tracksNested) {
        this.unknown.add(
          `calls ${fn.language} function ${key}, whose statements are counted only with pg_stat_statements.track = all`,
        );
      }
    }
    this.walk(call.args, scope);
    this.walk(call.agg_filter, scope);
    this.walk(call.agg_order, scope);
    this.walk(call.over, scope);
  }

  private type(typeName: Node | undefined): void {
    const names = ((typeName?.names as Node[] | undefined) ?? []).map((n) => n.String?.sval as string);
    if (names.length === 0) return;
    const schema = names.length > 1 ? names.at(-2)! : undefined;
    const name = names.at(-1)!;
    for (const s of schema ? [schema] : this.catalog.searchPath) {
      if (this.catalog.types.has(`${s}.${name}`.toLowerCase())) {
        this.add({ object: `${s}.${name}`.toLowerCase(), kind: "type", mode: "read" });
        return;
      }
    }
  }

  private lookup<T>(map: Map<string, T>, name: string, schema: string | undefined): T | undefined {
    if (schema) return map.get(`${schema}.${name}`.toLowerCase());
    for (const s of this.catalog.searchPath) {
      const hit = map.get(`${s}.${name}`.toLowerCase());
      if (hit) return hit;
    }
    return undefined;
  }

  /** Expressions: column references, function calls, casts and subqueries at any depth. */
  walk(node: unknown, scope: Scope): void {
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const item of node) this.walk(item, scope);
      return;
    }
    const n = node as Node;
    if (n.ColumnRef) {
      const fields = n.ColumnRef.fields as Node[];
      if (fields.at(-1)?.A_Star) this.star(fields, scope);
      else
        this.column(
          fields.map((f) => f.String?.sval as string),
          scope,
        );
      return;
    }
    if (n.FuncCall) return this.func(n.FuncCall as Node, scope);
    if (n.TypeCast) {
      this.type(n.TypeCast.typeName as Node);
      return this.walk(n.TypeCast.arg, scope);
    }
    if (n.SubLink) {
      this.walk(n.SubLink.testexpr, scope);
      this.nested(n.SubLink.subselect, { rels: [], ctes: new Map(), parent: scope });
      return;
    }
    for (const key of ["SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt"])
      if (n[key]) return void this.statement(key, n[key] as Node, { rels: [], ctes: new Map(), parent: scope });
    for (const value of Object.values(n)) this.walk(value, scope);
  }
}

function aliasColumns(alias: Node | undefined): string[] | null {
  const names = alias?.colnames as Node[] | undefined;
  return names ? names.map((n) => n.String?.sval as string) : null;
}
