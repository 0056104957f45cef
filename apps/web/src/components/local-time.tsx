"use client";

import { useSyncExternalStore } from "react";
import { utc } from "@/lib/format";

const noChange = () => () => {};

function inViewerZone(iso: string, withSeconds: boolean): string {
  return new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: withSeconds ? "2-digit" : undefined,
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(new Date(iso));
}

/**
 * A time in the viewer's own time zone, with UTC on hover. The server does not know the
 * viewer's zone, so the first render (and a page without JavaScript) shows UTC, labelled.
 */
export function LocalTime({
  at,
  seconds = false,
  className,
}: {
  at: Date | string;
  seconds?: boolean;
  className?: string;
}) {
  const iso = typeof at === "string" ? at : at.toISOString();
  const hydrated = useSyncExternalStore(
    noChange,
    () => true,
    () => false,
  );
  return (
    <time dateTime={iso} title={`${utc(iso, true)} UTC`} className={className}>
      {hydrated ? inViewerZone(iso, seconds) : `${utc(iso, seconds)} UTC`}
    </time>
  );
}
