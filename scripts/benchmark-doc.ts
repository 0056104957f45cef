import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "docs", "BENCHMARKS.md");

/** Replaces (or appends) one `## title` section of docs/BENCHMARKS.md, leaving the others. */
export function writeBenchmarkSection(title: string, lines: string[]): void {
  const section = [`## ${title}`, "", ...lines, ""].join("\n");
  let doc = readFileSync(file, "utf8");
  const start = doc.indexOf(`## ${title}`);
  if (start === -1) doc = `${doc.trimEnd()}\n\n${section}`;
  else {
    const next = doc.indexOf("\n## ", start + 1);
    doc = doc.slice(0, start) + section + (next === -1 ? "" : `\n${doc.slice(next + 1)}`);
  }
  writeFileSync(file, doc.endsWith("\n") ? doc : `${doc}\n`);
}
