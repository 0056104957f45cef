"use server";

import { asAdmin } from "@/server/admin/as-admin";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import {
  linkGithubEnvironment,
  saveGithubSettings,
  unlinkGithubEnvironment,
} from "@rollgate/app/admin/github-integration";
import { adminDeps } from "@/server/use-case-deps";

const settings = z.object({
  appId: z.coerce
    .number({ message: "The App ID is a number (GitHub → the App's settings)." })
    .int()
    .positive("The App ID is a number (GitHub → the App's settings)."),
  apiBaseUrl: z.url("The API URL is https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server."),
  privateKey: z.string().max(10_000),
  webhookSecret: z.string().max(500),
});

export async function githubSettingsAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const input = settings.safeParse(Object.fromEntries(form));
  if (!input.success) return { error: input.error.issues[0]?.message ?? "The form is incomplete." };
  return asAdmin("/admin/github", async (admin) => {
    await saveGithubSettings(await adminDeps(), admin, input.data);
    return { done: "GitHub App saved. Its webhook URL is /api/v1/integrations/github on this server." };
  });
}

const link = z.object({
  repository: z.string().trim().min(3).max(200),
  githubEnvironment: z.string().trim().min(1, "Name the GitHub environment.").max(255),
  target: z.string().regex(/^[^/]+\/[^/]+$/, "Choose the Rollgate environment."),
});

export async function linkGithubAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const input = link.safeParse(Object.fromEntries(form));
  if (!input.success) return { error: input.error.issues[0]?.message ?? "The form is incomplete." };
  const [service, environment] = input.data.target.split("/") as [string, string];
  return asAdmin("/admin/github", async (admin) => {
    await linkGithubEnvironment(await adminDeps(), admin, {
      repository: input.data.repository,
      githubEnvironment: input.data.githubEnvironment,
      service,
      environment,
    });
    return {
      done: `${input.data.repository} environment "${input.data.githubEnvironment}" is now guarded by ${service}/${environment}.`,
    };
  });
}

export async function unlinkGithubAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const id = z.uuid().safeParse(form.get("id"));
  if (!id.success) return { error: "Unknown link." };
  return asAdmin("/admin/github", async (admin) => {
    await unlinkGithubEnvironment(await adminDeps(), admin, id.data);
    return { done: "Link removed: deployments there are rejected as not linked." };
  });
}
