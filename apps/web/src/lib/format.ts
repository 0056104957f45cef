/** A time as `YYYY-MM-DD HH:MM` (or with seconds) in UTC, the way the dashboard prints times. */
export function utc(at: Date | string, withSeconds = false): string {
  return new Date(at)
    .toISOString()
    .replace("T", " ")
    .slice(0, withSeconds ? 19 : 16);
}
