import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { API } from "./endpoints.ts";
import { openApiDocument } from "./openapi.ts";

const doc = openApiDocument();
const METHODS = ["get", "post", "put", "patch", "delete"];

/** Every `$ref` anywhere in a value. */
function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, found);
  else if (value && typeof value === "object")
    for (const [key, v] of Object.entries(value)) {
      if (key === "$ref" && typeof v === "string") found.push(v);
      else refs(v, found);
    }
  return found;
}

describe("the OpenAPI document, generated from the endpoint descriptions", () => {
  it("has an operation for every endpoint that is not internal, and nothing else", () => {
    const described = Object.values(API)
      .filter((e) => !("internal" in e && e.internal))
      .flatMap((e) =>
        (typeof e.method === "string" ? [e.method] : e.method).map((m) => `${m.toLowerCase()} ${e.path}`),
      );
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(described.sort());
  });

  it("is valid: 3.1, each operation answers something, every $ref resolves, every schema compiles as JSON Schema 2020-12", () => {
    expect(doc.openapi).toBe("3.1.0");
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops as Record<string, { responses: object; parameters?: unknown[] }>)) {
        expect(METHODS, `${method} ${path}`).toContain(method);
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const status of Object.keys(op.responses)) expect(status, `${method} ${path}`).toMatch(/^[1-5]\d\d$/);
        // Path parameters are exactly the template's.
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const declared = (op.parameters ?? [])
          .filter((p) => (p as { in: string }).in === "path")
          .map((p) => (p as { name: string }).name);
        expect(declared, `${method} ${path}`).toEqual(inPath);
      }
    const schemas = doc.components.schemas as Record<string, object>;
    for (const ref of refs(doc)) {
      const name = /^#\/components\/schemas\/(\w+)$/.exec(ref)?.[1];
      expect(name && schemas[name], ref).toBeTruthy();
    }
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const [name, schema] of Object.entries(schemas)) expect(() => ajv.compile(schema), name).not.toThrow();
  });
});
