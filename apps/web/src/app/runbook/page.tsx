import { readFileSync } from "node:fs";
import path from "node:path";
import { marked } from "marked";
import type { Metadata } from "next";

export const metadata: Metadata = { title: "Runbook: rolling back around migrations" };
// Rendered once at build time from the repository's runbook, so the page and the document never disagree.
export const dynamic = "force-static";

const source = readFileSync(path.join(process.cwd(), "..", "..", "docs", "runbook-rollback-migrations.md"), "utf8");

export default function RunbookPage() {
  return (
    <article
      className="max-w-3xl space-y-3 [&_a]:underline [&_code]:font-mono [&_code]:text-sm [&_h1]:text-2xl [&_h1]:font-semibold [&_h2]:mt-6 [&_h2]:text-lg [&_h2]:font-semibold [&_h3]:font-semibold [&_li]:ml-5 [&_ol]:list-decimal [&_pre]:overflow-x-auto [&_pre]:rounded [&_pre]:bg-slate-100 [&_pre]:p-3 dark:[&_pre]:bg-slate-950 [&_table]:text-sm [&_td]:pr-3 [&_th]:pr-3 [&_th]:text-left [&_ul]:list-disc"
      // The repository's own document, not user input.
      dangerouslySetInnerHTML={{ __html: marked.parse(source, { async: false }) }}
    />
  );
}
