import { z } from "zod";

export const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type Level = (typeof LEVELS)[number];

/** LOG_LEVEL, `info` when unset. An unknown value is reported (as `problem`) and logging stays at `info`. */
export function readLogLevel(source: Record<string, string | undefined> = process.env): {
  level: Level;
  problem?: string;
} {
  const raw = source.LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return { level: "info" };
  const parsed = z.enum(LEVELS).safeParse(raw);
  return parsed.success
    ? { level: parsed.data }
    : { level: "info", problem: `LOG_LEVEL "${raw}" is not one of ${LEVELS.join(", ")}; logging at info.` };
}
