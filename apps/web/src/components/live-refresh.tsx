"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";

/**
 * Keeps a server-rendered page current: fetches it again every `seconds` (without a reload,
 * keeping scroll and focus) and says when it last did, or that the browser is offline.
 */
export function LiveRefresh({ renderedAt, seconds = 30 }: { renderedAt: string; seconds?: number }) {
  const router = useRouter();
  const [, startTransition] = useTransition();
  const [online, setOnline] = useState(true);
  useEffect(() => {
    const timer = setInterval(() => {
      if (navigator.onLine) startTransition(() => router.refresh());
    }, seconds * 1000);
    const update = () => setOnline(navigator.onLine);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      clearInterval(timer);
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, [router, seconds]);
  const time = renderedAt.slice(11, 19);
  return online ? (
    <span className="text-xs text-slate-500 dark:text-slate-400" title={`Refreshed every ${seconds} s`}>
      live · as of {time} UTC
    </span>
  ) : (
    <span role="status" className="rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-900 dark:bg-amber-900 dark:text-amber-100">
      offline: showing {time} UTC
    </span>
  );
}
