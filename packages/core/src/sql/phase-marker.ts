import type { MigrationPhase } from "../types.ts";

// A migration file says which phase it belongs to in a comment before its first statement:
// `-- rollgate: contract`. `rollgate lint --phase from-file` reads it; a file without a
// marker is an expand, so a destructive statement nobody marked is an error.

const MARKER = /^--\s*rollgate:\s*(expand|contract)\s*$/i;

/** The phase a migration's leading comments declare, or null when they declare none. */
export function declaredPhase(source: string): MigrationPhase | null {
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    // Only the comments that head the file count: a marker after SQL could be anything.
    if (!line.startsWith("--")) return null;
    const match = MARKER.exec(line);
    if (match) return match[1]!.toLowerCase() as MigrationPhase;
  }
  return null;
}
