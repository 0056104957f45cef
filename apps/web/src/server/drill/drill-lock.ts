import "server-only";
import { database } from "@rollgate/db/runtime";

/** One drill at a time across the replicas of a database: a session advisory lock, held while it runs. */
const DRILL_LOCK_KEY = 7_263_114_530_003;

/** The lock's release, or null when another drill (on this or another replica) holds it. */
export async function takeDrillLock(): Promise<(() => Promise<void>) | null> {
  return (await database()).tryLock(DRILL_LOCK_KEY);
}
