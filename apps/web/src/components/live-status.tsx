"use client";

import { useEffect, useState } from "react";
import { utc } from "@/lib/format";

/** Whether the browser says it is online, kept up to date. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(true);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    update();
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return online;
}

/**
 * "live", or a visible warning when the data on screen may be old: the browser is offline,
 * or the last refresh failed or is more than a minute old (by the server's clock).
 */
export function LiveStatus({ dataAt, serverNow, failed }: { dataAt: string; serverNow: number; failed: boolean }) {
  const online = useOnline();
  const stale = failed || serverNow - Date.parse(dataAt) > 60_000;
  if (online && !stale) return <span className="text-xs text-slate-500 dark:text-slate-400">live</span>;
  const asOf = `${utc(dataAt, true).slice(11)} UTC`;
  return (
    <span
      role="status"
      className="rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-900 dark:bg-amber-900 dark:text-amber-100"
    >
      {online ? `stale since ${asOf}: retrying` : `offline: showing ${asOf}`}
    </span>
  );
}
