// The per-minute rate limit is a counter in PostgreSQL shared by every replica, but a replica
// does not write it on every request: it reserves a share of what is left and admits requests
// from that share in memory. Shares are small (a hundredth of what is left, at least one), so a
// small limit is still counted request by request, exactly across replicas, and a large one
// costs a write per hundredth. A counter never admits more than the limit; a share a replica
// has not used when the window ends is lost, so others may be refused that much early.

/** A hundredth of what is left of the limit, at least one request. */
export const RESERVE_FRACTION = 100;

/** How many requests to reserve when the counter last read `count` of `limit`. */
export function reservationSize(limit: number, count: number): number {
  return Math.max(1, Math.floor((limit - count) / RESERVE_FRACTION));
}

/** Of `asked` requests added to the counter, which then read `countAfter`, how many fit under `limit`. */
export function grantedUnits(limit: number, countAfter: number, asked: number): number {
  return Math.max(0, Math.min(asked, limit - (countAfter - asked)));
}
