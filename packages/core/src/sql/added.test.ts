import { describe, expect, it } from "vitest";
import { addedObjects } from "./added.ts";

describe("addedObjects", () => {
  it("lists tables, columns with their format_type names, indexes and types an expand script adds", async () => {
    const sql =
      "create table if not exists a.b (id bigint primary key, n varchar(20), t timestamptz, x numeric(10,2), arr int[]);\nalter table invoices add column billing_email text, add constraint c check (x > 0) not valid;\ncreate index concurrently i on invoices (billing_email);\ncreate type state as enum ('a');";
    expect(await addedObjects(sql)).toEqual([
      { kind: "table", name: "a.b" },
      { kind: "column", name: "a.b.id", type: "bigint" },
      { kind: "column", name: "a.b.n", type: "character varying(20)" },
      { kind: "column", name: "a.b.t", type: "timestamp with time zone" },
      { kind: "column", name: "a.b.x", type: "numeric(10,2)" },
      { kind: "column", name: "a.b.arr", type: "integer[]" },
      { kind: "column", name: "public.invoices.billing_email", type: "text" },
      { kind: "constraint", name: "public.invoices.c" },
      { kind: "index", name: "public.i" },
      { kind: "type", name: "public.state" },
    ]);
  });
});
