/** An ISO 8601 time in UTC, as `toISOString` writes it (every time on the wire). */
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** A time as `YYYY-MM-DD HH:MM` (or with seconds) in UTC, the way the dashboard prints times. */
export function utc(at: Date | string, withSeconds = false): string {
  // A wire time is cut rather than parsed: the overview prints hundreds of them.
  const iso = typeof at === "string" && ISO_UTC.test(at) ? at : new Date(at).toISOString();
  return iso.replace("T", " ").slice(0, withSeconds ? 19 : 16);
}
