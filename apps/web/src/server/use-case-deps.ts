import "server-only";
import type { AdminDeps } from "@rollgate/app/admin/manage";
import type { GithubDeps } from "@rollgate/app/github/github-settings";
import type { Db } from "@rollgate/db/client";
import { database } from "@rollgate/db/runtime";
import { githubAnswer } from "@rollgate/worker/github-app";
import { checkDestination } from "@rollgate/worker/outbound";
import { now } from "./clock";
import { env } from "./env";
import { logError } from "./errors";

/** What web hands a use case of @rollgate/app: the process's database and the time, read here once. */
export async function useCaseDeps(): Promise<{ db: Db; now: Date }> {
  const { db } = await database();
  return { db, now: now() };
}

/** What the GitHub use cases take besides the database and the time: the secret key, GitHub's answer, the poll period, the logger. */
export function githubDeps(): GithubDeps {
  const e = env();
  return {
    secretKey: e.secretKey,
    answer: githubAnswer({ allowPrivate: e.allowPrivateDestinations }),
    pollMs: e.ROLLGATE_GITHUB_POLL_SECONDS * 1000,
    logError,
  };
}

/** What the admin use cases take: the database, the time, the secret key and the destination guard (ROLLGATE_ALLOW_PRIVATE_DESTINATIONS). */
export async function adminDeps(): Promise<AdminDeps> {
  const { allowPrivateDestinations: allowPrivate, secretKey } = env();
  return {
    ...(await useCaseDeps()),
    secretKey,
    checkDestination: (url) => checkDestination(url, { allowPrivate }),
  };
}
