import "server-only";
import type { Db } from "@rollgate/db/client";
import { database } from "@rollgate/db/runtime";
import { now } from "./clock";

/** What web hands a use case of @rollgate/app: the process's database and the time, read here once. */
export async function useCaseDeps(): Promise<{ db: Db; now: Date }> {
  const { db } = await database();
  return { db, now: now() };
}
