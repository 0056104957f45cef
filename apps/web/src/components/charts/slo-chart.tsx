"use client";

import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface SloChartPoint {
  t: number;
  value: number;
}

interface Props {
  title: string;
  unit: string;
  data: SloChartPoint[];
  /** The policy's threshold, drawn as a reference line. */
  threshold: number;
  windowStart: number | null;
  windowEnd: number | null;
}

const time = (t: number) => new Date(t).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

/** One SLO metric over time, with the policy threshold and the rollback window marked. */
export function SloChart({ title, unit, data, threshold, windowStart, windowEnd }: Props) {
  const values = data.map((d) => d.value).concat(threshold);
  const pad = (Math.max(...values) - Math.min(...values)) * 0.1 || 0.1;
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
      <figcaption className="mb-1 text-sm font-medium">
        {title} <span className="text-slate-500 dark:text-slate-400">(threshold {threshold}{unit})</span>
      </figcaption>
      <div className="h-40" role="img" aria-label={`${title}: ${data.length} points; worst ${data.length ? Math.min(...data.map((d) => d.value)) : "none"}${unit}; threshold ${threshold}${unit}`}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 5, right: 10, bottom: 0, left: 0 }}>
            <CartesianGrid strokeOpacity={0.2} />
            <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} scale="time" tickFormatter={time} tick={{ fontSize: 10 }} minTickGap={40} />
            <YAxis domain={[Math.min(...values) - pad, Math.max(...values) + pad]} tick={{ fontSize: 10 }} width={48} tickFormatter={(v: number) => v.toFixed(2)} />
            <Tooltip labelFormatter={(t) => time(Number(t))} formatter={(v) => [`${Number(v).toFixed(3)}${unit}`, title]} />
            <ReferenceLine y={threshold} stroke="#dc2626" strokeDasharray="4 4" />
            {windowStart ? <ReferenceLine x={windowStart} stroke="#0284c7" label={{ value: "window", fontSize: 10, position: "insideTopLeft" }} /> : null}
            {windowEnd ? <ReferenceLine x={windowEnd} stroke="#0284c7" strokeDasharray="2 2" /> : null}
            <Line type="monotone" dataKey="value" stroke="#6366f1" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
