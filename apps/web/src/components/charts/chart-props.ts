import type { ChartPoint } from "@/lib/gaps";

export interface ChartProps {
  title: string;
  unit: string;
  data: ChartPoint[];
  /** A policy threshold, drawn as a dashed reference line. */
  threshold?: number;
  windowStart: number | null;
  windowEnd: number | null;
  /** Draw as steps (a value that holds until it changes, like a flag's percentage). */
  step?: boolean;
  domain?: [number, number];
}
