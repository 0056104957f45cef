import { Writable } from "node:stream";
import { createLogger, replaceLogger } from "../src/logger.ts";
import type { Level } from "../src/env.ts";

/**
 * For tests: the process logger writes to memory until `restore()`. `text()` is everything
 * written, `records()` each line parsed.
 */
export function captureLogs(level: Level = "debug") {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  const previous = replaceLogger(createLogger({ level, destination }));
  return {
    lines,
    text: () => lines.join("\n"),
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => void replaceLogger(previous),
  };
}
