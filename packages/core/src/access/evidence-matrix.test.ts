import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EVIDENCE_AREAS, evidenceMarkdown } from "./evidence-matrix.ts";

describe("docs/SECURITY.md", () => {
  it("prints the table of forged, replayed and stale evidence exactly as core declares it", () => {
    const doc = readFileSync(new URL("../../../../docs/SECURITY.md", import.meta.url), "utf8");
    expect(doc).toContain(evidenceMarkdown());
  });

  it("names every area's rows once", () => {
    const attempts = EVIDENCE_AREAS.flatMap(([area, rows]) => Object.values(rows).map((r) => `${area}: ${r.attempt}`));
    expect(new Set(attempts).size).toBe(attempts.length);
  });
});
