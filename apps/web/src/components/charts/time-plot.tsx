"use client";

import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ChartProps } from "./chart-props";

const time = (t: number) =>
  new Date(t).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

/** The recharts drawing behind a Chart; loaded after the page so recharts is not in its first load. */
export function TimePlot({ title, unit, data, threshold, windowStart, windowEnd, step, domain }: ChartProps) {
  const values = data.flatMap((d) => (d.value === null ? [] : [d.value])).concat(threshold ?? []);
  const pad = (Math.max(...values) - Math.min(...values)) * 0.1 || 0.1;
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={data} margin={{ top: 5, right: 10, bottom: 0, left: 0 }}>
        <CartesianGrid strokeOpacity={0.2} />
        <XAxis
          dataKey="t"
          type="number"
          domain={["dataMin", "dataMax"]}
          scale="time"
          tickFormatter={time}
          tick={{ fontSize: 10 }}
          minTickGap={40}
        />
        <YAxis
          domain={domain ?? [Math.min(...values) - pad, Math.max(...values) + pad]}
          tick={{ fontSize: 10 }}
          width={48}
          tickFormatter={(v: number) => (step ? String(v) : v.toFixed(2))}
        />
        <Tooltip
          labelFormatter={(t) => time(Number(t))}
          formatter={(v) => [`${step ? Number(v) : Number(v).toFixed(3)}${unit}`, title]}
        />
        {threshold !== undefined ? <ReferenceLine y={threshold} stroke="#dc2626" strokeDasharray="4 4" /> : null}
        {windowStart ? (
          <ReferenceLine
            x={windowStart}
            stroke="#0284c7"
            label={{ value: "window", fontSize: 10, position: "insideTopLeft" }}
          />
        ) : null}
        {windowEnd ? <ReferenceLine x={windowEnd} stroke="#0284c7" strokeDasharray="2 2" /> : null}
        <Line
          type={step ? "stepAfter" : "monotone"}
          dataKey="value"
          stroke="#6366f1"
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ResponsiveContainer>
  );
}
