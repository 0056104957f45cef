import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../sql/analyse.ts";
import { scriptSyntaxError } from "./script-syntax.ts";

beforeAll(() => loadSqlParser());

describe("scriptSyntaxError", () => {
  it("is null for a script that parses", () => {
    expect(
      scriptSyntaxError("CREATE TABLE users (id bigint PRIMARY KEY);\nALTER TABLE users ADD COLUMN email text;"),
    ).toBeNull();
  });

  it("names PostgreSQL's error and the line it is on", () => {
    expect(scriptSyntaxError("CREATE TABLE a (id int);\n\nCREATE TABEL b (id int);\n")).toEqual({
      line: 3,
      message: 'syntax error at or near "TABEL"',
    });
  });
});
