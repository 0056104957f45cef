// Which Alertmanager resolve closes which open incident. Alertmanager keeps an alert's
// fingerprint across firings and gives each firing its own `startsAt`: a resolve closes the
// incident only when it is about that firing (same fingerprint and start), and only when it
// comes from a receiver that covers at least what the opening receiver covered. A late resolve
// of yesterday's firing, or a staging receiver resolving what the all-environments receiver
// opened, leaves the incident open (and blocking contract).

/** A receiver's scope: one environment's id, or null for every environment of its service. */
export type ReceiverScope = string | null;

export interface OpenAlertIncident {
  /** The start of the firing that opened (or last refreshed) it; null when unknown (opened before starts were kept). */
  alertStartsAt: Date | null;
  /** The scope of the receiver that opened it; undefined when that receiver is gone (then: every environment). */
  openerScope: ReceiverScope | undefined;
}

export type ResolveDecision =
  { close: true } | { close: false; reason: "another_start" | "narrower_receiver"; message: string };

/** An alert's `startsAt` as an instant; Alertmanager's zero time, a missing or unreadable value: null. */
export function alertStart(startsAt: string | undefined): Date | null {
  if (!startsAt) return null;
  const at = new Date(startsAt);
  return Number.isNaN(at.getTime()) || at.getUTCFullYear() <= 1 ? null : at;
}

/** Whether a receiver of `scope` covers what a receiver of `opener` covered. */
export function scopeCovers(scope: ReceiverScope, opener: ReceiverScope | undefined): boolean {
  if (scope === null) return true;
  return opener !== undefined && opener !== null && opener === scope;
}

/** Whether a resolve (its `startsAt` and the resolving receiver's scope) closes the open incident of its fingerprint. */
export function alertResolveDecision(
  incident: OpenAlertIncident,
  resolve: { startsAt: string | undefined; receiverScope: ReceiverScope },
): ResolveDecision {
  if (!scopeCovers(resolve.receiverScope, incident.openerScope))
    return {
      close: false,
      reason: "narrower_receiver",
      message:
        "This receiver covers fewer environments than the one that opened the incident: only that receiver (or one covering every environment) resolves it.",
    };
  const start = alertStart(resolve.startsAt);
  // An incident whose firing start is unknown (opened before Rollgate kept it) closes by fingerprint, as it did then.
  if (incident.alertStartsAt !== null && (start === null || start.getTime() !== incident.alertStartsAt.getTime()))
    return {
      close: false,
      reason: "another_start",
      message: "This resolve is about another firing of the alert (another startsAt): the open one stays open.",
    };
  return { close: true };
}

/**
 * A firing of an alert that is already open: a later `startsAt` is a new firing (Alertmanager
 * starts a new one only after the previous resolved), so the incident now stands for it. An
 * earlier or unknown start (a late delivery) changes nothing. Returns the start to keep.
 */
export function refreshedAlertStart(current: Date | null, firing: string | undefined): Date | null {
  const start = alertStart(firing);
  if (start === null) return current;
  return current === null || start.getTime() > current.getTime() ? start : current;
}
