// Where a command writes. Tests pass their own to capture output; the binary uses the process's.
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (live countdowns); false in CI logs and tests. */
  interactive: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  interactive: Boolean(process.stderr.isTTY),
};

/** Thrown for bad arguments: the command prints the sentence and exits with 2. */
export class UsageError extends Error {}
