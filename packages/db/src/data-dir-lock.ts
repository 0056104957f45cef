import { randomUUID } from "node:crypto";
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

// One process at a time on an embedded data folder: PGlite is a single-user PostgreSQL, and
// two processes (or two instances in one process) writing the same files corrupt them.

interface LockFile {
  pid: number;
  host: string;
  /** Which open in which process: after a restart a new process may get the same pid. */
  nonce: string;
  since: string;
}

/** Nonces of the locks this process holds, on globalThis so every bundle sees the same set. */
const HELD = Symbol.for("rollgate.dataDirLocks");
const held = (): Set<string> => ((globalThis as Record<symbol, Set<string>>)[HELD] ??= new Set());

export class DataDirLockedError extends Error {
  constructor(dataDir: string, owner: LockFile) {
    super(
      `The embedded database in ${dataDir} is in use by process ${owner.pid} on ${owner.host} (since ${owner.since}). ` +
        "Only one process may open it: stop that process (e.g. the Rollgate server) first, or set DATABASE_URL to use PostgreSQL.",
    );
    this.name = "DataDirLockedError";
  }
}

export function lockPath(dataDir: string): string {
  return path.join(dataDir, "rollgate.lock");
}

/** Takes the data folder's lock or throws DataDirLockedError; a lock left by a dead process is taken over. */
export function lockDataDir(dataDir: string): () => void {
  const file = lockPath(dataDir);
  const mine: LockFile = { pid: process.pid, host: hostname(), nonce: randomUUID(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt += 1) {
    // Written aside, then hard-linked into place: the link fails if a lock exists, and a
    // reader never sees a half-written file.
    const temp = `${file}.${mine.nonce}`;
    writeFileSync(temp, JSON.stringify(mine));
    try {
      linkSync(temp, file);
      held().add(mine.nonce);
      const release = () => {
        held().delete(mine.nonce);
        if (readOwner(file)?.nonce === mine.nonce) unlinkQuietly(file);
      };
      process.once("exit", release);
      return () => {
        process.removeListener("exit", release);
        release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      unlinkQuietly(temp);
    }
    const owner = readOwner(file);
    if (owner && alive(owner)) throw new DataDirLockedError(dataDir, owner);
    // Stale (or unreadable): move it aside. Of two processes racing here, one rename wins;
    // the other finds the winner's fresh lock on its next attempt.
    try {
      renameSync(file, `${file}.stale-${randomUUID()}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  throw new Error(`Could not take the lock ${file}; remove it if no Rollgate process is running.`);
}

function readOwner(file: string): LockFile | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LockFile;
  } catch {
    return null;
  }
}

function alive(owner: LockFile): boolean {
  // Our own pid: alive only if this process still holds that lock (else it was a previous
  // process that had our pid, e.g. pid 1 in a restarted container).
  if (owner.pid === process.pid) return held().has(owner.nonce);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
