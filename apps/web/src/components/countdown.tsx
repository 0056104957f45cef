"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { utc } from "@/lib/format";
import { pageClock } from "@/lib/page-clock";

/** `42:05` under an hour, `3 h 07 min` above. */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${String(m).padStart(2, "0")} min` : `${m}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * The server's clock, ticking in the browser every second (`pageClock`). The offset is taken
 * from the server's own timestamp (and again whenever a fresher one arrives), so a wrong laptop
 * clock cannot end a window early on screen. The server render and hydration both show the
 * server's timestamp itself, so they agree to the millisecond.
 */
export function useServerNow(serverIso: string): number {
  const clientNow = useSyncExternalStore(pageClock.subscribe, pageClock.now, () => null);
  const [offset, setOffset] = useState(() => Date.parse(serverIso) - Date.now());
  useEffect(() => setOffset(Date.parse(serverIso) - Date.now()), [serverIso]);
  return clientNow === null ? Date.parse(serverIso) : clientNow + offset;
}

/**
 * Time left until `until`. At zero, `onEnd` runs once (by default the page's server data is
 * fetched again), so what depended on the time updates without a reload.
 */
export function Countdown({
  until,
  serverNow,
  label = "left",
  onEnd,
}: {
  until: string;
  serverNow: string;
  label?: string;
  onEnd?: () => void;
}) {
  const router = useRouter();
  const now = useServerNow(serverNow);
  const left = Date.parse(until) - now;
  const ended = useRef(false);
  useEffect(() => {
    if (left <= 0 && !ended.current) {
      ended.current = true;
      (onEnd ?? router.refresh)();
    }
  }, [left, router, onEnd]);
  return (
    <time dateTime={until} title={`${utc(until, true)} UTC`} data-countdown-until={until}>
      {left > 0 ? `${formatCountdown(left)} ${label}` : "ended — updating…"}
    </time>
  );
}
