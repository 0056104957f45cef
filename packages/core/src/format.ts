/** A time as people read it in Rollgate's sentences: `2026-11-24 23:49:16 UTC`. */
export function utcText(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
