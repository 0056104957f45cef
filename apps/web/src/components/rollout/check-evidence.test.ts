import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CheckEvidence } from "./check-evidence";

describe("the data check's evidence on the rollout page", () => {
  it("lists each check with its source, its count and sample keys, its error, or that it has not run", () => {
    const html = renderToStaticMarkup(
      createElement(CheckEvidence, {
        details: {
          kind: "data",
          checks: [
            {
              name: "billing-email-copied",
              checksum: "a".repeat(64),
              source: "release",
              status: "fail",
              ran_at: "2026-12-07T10:00:00.000Z",
              rows: 1204,
              sample_keys: ["7", "9"],
              samples_withheld: null,
              error: null,
            },
            {
              name: "backfill-invoices",
              checksum: "b".repeat(64),
              source: "backfill",
              status: "fail",
              ran_at: "2026-12-07T10:00:00.000Z",
              rows: null,
              sample_keys: [],
              samples_withheld: null,
              error: "canceling statement due to statement timeout",
            },
            {
              name: "emails-copied",
              checksum: "d".repeat(64),
              source: "release",
              status: "fail",
              ran_at: "2026-12-07T10:00:00.000Z",
              rows: 3,
              sample_keys: [],
              samples_withheld: "not_a_key_column",
              error: null,
            },
            {
              name: "from-file",
              checksum: "c".repeat(64),
              source: "inspect",
              status: "pending",
              ran_at: null,
              rows: null,
              sample_keys: [],
              samples_withheld: null,
              error: null,
            },
          ],
        },
      }),
    );
    expect(html).toContain('data-evidence="data"');
    expect(html).toMatch(
      /data-data-check="billing-email-copied" data-status="fail">.*billing-email-copied.*\(release\).*1,204 row\(s\), keys 7, 9/,
    );
    expect(html).toMatch(/backfill-invoices.*could not run: canceling statement due to statement timeout/);
    expect(html).toMatch(/from-file.*no run since the window started/);
    expect(html).toMatch(
      /data-data-check="emails-copied" data-status="fail">.*3 row\(s\) \(sample keys withheld: the first column is not part of its table(&#x27;|')s primary key\)/,
    );
  });
});
