import { createPrivateKey } from "node:crypto";
import { appendAudit } from "@rollgate/db/queries/audit";
import { listEnvironmentsWithPolicy } from "@rollgate/db/queries/admin";
import {
  deleteGithubLink,
  getGithubApp,
  listGithubCallbacks,
  listGithubLinks,
  saveGithubApp,
  upsertGithubLink,
} from "@rollgate/db/queries/github";
import { findEnvironment } from "@rollgate/db/queries/rollouts";
import type { Db } from "@rollgate/db/client";
import { encryptSecret } from "@rollgate/db/secrets";
import { sameDestination } from "@rollgate/core/integrations/destination";
import type { SignedInUser } from "../access/rollout-context";
import { AppError } from "../errors";
import { adminAudit, type AdminDeps } from "./manage";

// Admin → integrations: the GitHub App Rollgate acts as, and which GitHub environments each
// Rollgate environment guards. Secrets are stored encrypted and never shown again; every
// change is in the audit chain.

const audit = (at: Date, admin: SignedInUser, action: string, subjectId: string, data: Record<string, unknown>) =>
  adminAudit(at, admin, action, "github_integration", subjectId, data);

export async function getGithubIntegrationView(db: Db) {
  const app = await getGithubApp(db);
  return {
    app: app
      ? { appId: app.appId, apiBaseUrl: app.apiBaseUrl, updatedBy: app.updatedBy, updatedAt: app.updatedAt }
      : null,
    links: await listGithubLinks(db),
    environments: (await listEnvironmentsWithPolicy(db)).map((e) => ({ service: e.serviceSlug, environment: e.name })),
    callbacks: await listGithubCallbacks(db, 20),
  };
}

/**
 * Saves the App's id and API URL; a private key or webhook secret left empty keeps the stored
 * one, except that a new API URL needs the private key again: the App's tokens, signed with it,
 * go to that URL, so a stored key never follows the URL to a new host.
 */
export async function saveGithubSettings(
  deps: AdminDeps,
  admin: SignedInUser,
  params: { appId: number; apiBaseUrl: string; privateKey: string; webhookSecret: string },
) {
  const { db } = deps;
  const existing = await getGithubApp(db);
  if (!existing && (!params.privateKey || !params.webhookSecret))
    throw new AppError("invalid_request", "Give the App's private key and webhook secret.");
  const apiBaseUrl = params.apiBaseUrl.replace(/\/+$/, "");
  const check = await deps.checkDestination(apiBaseUrl);
  if (!check.ok)
    throw new AppError("invalid_request", `The API URL ${check.reason}; nothing was saved.`, [
      { path: "apiBaseUrl", message: check.reason },
    ]);
  if (existing && !params.privateKey && !sameDestination(existing.apiBaseUrl, apiBaseUrl))
    throw new AppError(
      "invalid_request",
      "The API URL changed: paste the App's private key again. The stored key is not used with a new address; nothing was saved.",
      [{ path: "privateKey", message: "required when the API URL changes" }],
    );
  if (params.privateKey) {
    try {
      createPrivateKey(params.privateKey);
    } catch {
      throw new AppError(
        "invalid_request",
        "The private key is not a PEM key; paste the .pem file GitHub gave you, whole.",
      );
    }
  }
  const { secretKey } = deps;
  await db.transaction(async (tx) => {
    await saveGithubApp(tx, {
      appId: params.appId,
      apiBaseUrl,
      privateKeyCiphertext: params.privateKey
        ? encryptSecret(params.privateKey, secretKey)
        : existing!.privateKeyCiphertext,
      webhookSecretCiphertext: params.webhookSecret
        ? encryptSecret(params.webhookSecret, secretKey)
        : existing!.webhookSecretCiphertext,
      updatedBy: admin.email,
      updatedAt: deps.now,
    });
    await appendAudit(
      tx,
      audit(deps.now, admin, "github.app_saved", String(params.appId), {
        appId: params.appId,
        apiBaseUrl: params.apiBaseUrl,
        privateKeyChanged: Boolean(params.privateKey),
        webhookSecretChanged: Boolean(params.webhookSecret),
      }),
    );
  });
}

export async function linkGithubEnvironment(
  deps: AdminDeps,
  admin: SignedInUser,
  params: { repository: string; githubEnvironment: string; service: string; environment: string },
) {
  if (!/^[\w.-]+\/[\w.-]+$/.test(params.repository))
    throw new AppError("invalid_request", "Name the repository as owner/name.");
  const { db } = deps;
  const target = await findEnvironment(db, params.service, params.environment);
  if (!target) throw new AppError("not_found", `Service ${params.service} has no environment ${params.environment}.`);
  await db.transaction(async (tx) => {
    const id = await upsertGithubLink(tx, {
      repository: params.repository,
      githubEnvironment: params.githubEnvironment,
      environmentId: target.environmentId,
      createdBy: admin.email,
    });
    await appendAudit(tx, audit(deps.now, admin, "github.environment_linked", id, params));
  });
}

export async function unlinkGithubEnvironment(deps: AdminDeps, admin: SignedInUser, id: string) {
  const { db } = deps;
  await db.transaction(async (tx) => {
    const removed = await deleteGithubLink(tx, id);
    if (!removed) throw new AppError("not_found", "That link is already gone.");
    await appendAudit(tx, audit(deps.now, admin, "github.environment_unlinked", id, removed));
  });
}
