import { decryptSecret } from "@rollgate/db/secrets";
import type { GithubAppRow } from "@rollgate/db/queries/github";

/** The GitHub App's configuration, its secrets opened. */
export interface GithubSettings {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  apiBaseUrl: string;
}

export function readSettings(row: GithubAppRow, secretKey: string): GithubSettings {
  return {
    appId: row.appId,
    privateKey: decryptSecret(row.privateKeyCiphertext, secretKey),
    webhookSecret: decryptSecret(row.webhookSecretCiphertext, secretKey),
    apiBaseUrl: row.apiBaseUrl.replace(/\/+$/, ""),
  };
}

export class GithubAnswerError extends Error {
  constructor(
    message: string,
    /** False when retrying cannot help (GitHub refused this answer for good). */
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/**
 * Posts `approved` or `rejected` to a protection rule's callback as the App's installation; throws
 * a GithubAnswerError when GitHub does not take it. The HTTP adapter is the worker's
 * (`@rollgate/worker/github-app`); tests pass a recorder.
 */
export type Answer = (
  settings: GithubSettings,
  params: {
    installationId: number;
    callbackUrl: string;
    environmentName: string;
    state: "approved" | "rejected";
    comment: string;
  },
) => Promise<void>;

/** What the GitHub use cases take besides the database and the time. */
export interface GithubDeps {
  /** Opens the App's stored secrets. */
  secretKey: string;
  answer: Answer;
  /** How long an undecided rule waits before it is checked again (ROLLGATE_GITHUB_POLL_SECONDS). */
  pollMs: number;
  /** Logs an unexpected error without the data it carried. */
  logError: (context: string, error: unknown) => void;
}
