import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../sql/index.ts";
import { resolveStatement, type Catalog, type CatalogRelation } from "./resolve.ts";

const table = (name: string, columns: string[], extra: Partial<CatalogRelation> = {}): [string, CatalogRelation] => [
  `public.${name}`,
  { schema: "public", name, kind: "table", columns, ...extra },
];
const catalog: Catalog = {
  searchPath: ["public"],
  relations: new Map([
    table("invoices", ["id", "email", "total", "customer_id"]),
    table("customers", ["id", "name"]),
    table("invoice_emails", ["id", "email"], {
      kind: "view",
      reads: [
        { object: "public.invoices.email", kind: "column", mode: "read" },
        { object: "public.invoices", kind: "table", mode: "read" },
      ],
    }),
  ]),
  functions: new Map([
    [
      "public.invoice_email",
      {
        schema: "public",
        name: "invoice_email",
        language: "sql",
        reads: [{ object: "public.invoices.email", kind: "column", mode: "read" }],
      },
    ],
    ["public.notify", { schema: "public", name: "notify", language: "plpgsql", reads: null }],
  ]),
  types: new Set(["public.invoice_state"]),
  tracksNested: false,
};
const cols = (sql: string) =>
  resolveStatement(sql, catalog)
    .refs.filter((r) => r.kind === "column")
    .map((r) => `${r.mode}:${r.object.replace("public.", "")}`)
    .sort();

beforeAll(() => loadSqlParser());

describe("resolveStatement", () => {
  it("resolves a column read through an alias", () => {
    expect(
      cols("select i.email, c.name from invoices i join customers c on c.id = i.customer_id where i.id = $1"),
    ).toEqual([
      "read:customers.id",
      "read:customers.name",
      "read:invoices.customer_id",
      "read:invoices.email",
      "read:invoices.id",
    ]);
  });

  it("expands select * against the catalog, so a dropped column counts", () => {
    expect(cols("select * from invoices where id = $1")).toContain("read:invoices.email");
    expect(cols("select c.* from invoices i, customers c")).toEqual(["read:customers.id", "read:customers.name"]);
  });

  it("finds a write-only use in INSERT … (cols) and UPDATE … SET", () => {
    expect(cols("insert into invoices (email, total) values ($1, $2)")).toEqual([
      "write:invoices.email",
      "write:invoices.total",
    ]);
    expect(cols("update invoices set email = $1 where id = $2")).toEqual(["read:invoices.id", "write:invoices.email"]);
    expect(cols("insert into invoices values ($1, $2, $3, $4)")).toContain("write:invoices.email");
  });

  it("follows CTEs and subqueries to the table they read", () => {
    expect(cols("with e as (select email as addr from invoices) select addr from e")).toEqual(["read:invoices.email"]);
    expect(cols("select s.x from (select email as x from invoices) s")).toEqual(["read:invoices.email"]);
    expect(
      cols(
        "select id from customers c where exists (select 1 from invoices i where i.customer_id = c.id and i.email is null)",
      ),
    ).toEqual(["read:customers.id", "read:invoices.customer_id", "read:invoices.email"]);
  });

  it("reads a view's columns through its definition", () => {
    expect(cols("select id from invoice_emails")).toContain("read:invoices.email");
  });

  it("reads a SQL function's body, and says when a PL/pgSQL body is not counted", () => {
    expect(cols("select invoice_email($1)")).toEqual(["read:invoices.email"]);
    const r = resolveStatement("select notify($1)", catalog);
    expect(r.unknown[0]).toMatch(/plpgsql function public.notify.*track = all/);
    expect(resolveStatement("select notify($1)", { ...catalog, tracksNested: true }).unknown).toEqual([]);
  });

  it("reports what it cannot resolve instead of passing it", () => {
    expect(resolveStatement("select email from archive", catalog).unknown).toEqual([
      "relation archive is not in the catalog",
      "column email may belong to archive, whose columns are unknown",
    ]);
    expect(resolveStatement("select from where", catalog).unknown[0]).toMatch(/parser rejected/);
  });

  it("treats SET, BEGIN and DDL as utility statements, and system catalogs as nobody's", () => {
    expect(resolveStatement("SET lock_timeout = $1", catalog).utility).toBe(true);
    expect(resolveStatement("alter table invoices drop column email", catalog).utility).toBe(true);
    expect(resolveStatement("select relname from pg_class", catalog)).toEqual({
      refs: [],
      unknown: [],
      utility: false,
    });
  });

  it("names user types in casts", () => {
    expect(resolveStatement("select $1::invoice_state", catalog).refs).toEqual([
      { object: "public.invoice_state", kind: "type", mode: "read" },
    ]);
  });
});
