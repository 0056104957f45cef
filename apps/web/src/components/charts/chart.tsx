"use client";

import dynamic from "next/dynamic";
import type { ChartProps } from "./chart-props";

// recharts is the heaviest library on the page; it loads after first paint, in its own chunk.
const TimePlot = dynamic(() => import("./time-plot").then((m) => m.TimePlot), {
  ssr: false,
  loading: () => <div className="h-full animate-pulse rounded bg-slate-100 dark:bg-slate-800" />,
});

/** One metric over time, with its threshold and the rollback window marked. */
export function Chart(props: ChartProps) {
  const { title, unit, data, threshold } = props;
  const known = data.flatMap((d) => (d.value === null ? [] : [d.value]));
  const worst = known.length ? (props.step ? known.at(-1)! : Math.min(...known)) : null;
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
      <figcaption className="mb-1 text-sm font-medium">
        {title}{" "}
        {threshold !== undefined ? (
          <span className="text-slate-500 dark:text-slate-400">
            (threshold {threshold}
            {unit})
          </span>
        ) : null}
      </figcaption>
      <div
        className="h-40"
        role="img"
        aria-label={`${title}: ${data.length} points; ${props.step ? "now" : "worst"} ${worst ?? "none"}${unit}${threshold !== undefined ? `; threshold ${threshold}${unit}` : ""}`}
      >
        <TimePlot {...props} />
      </div>
    </figure>
  );
}
