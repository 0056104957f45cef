"use server";

import { asAdmin } from "@/server/admin/as-admin";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { changeIdentity } from "@rollgate/app/admin/link-identity";
import { unlockSignIn } from "@rollgate/app/admin/unlock-sign-in";
import { adminDeps, useCaseDeps } from "@/server/use-case-deps";
import {
  changeRole,
  createToken,
  revokeToken,
  savePolicy,
  setEnvironmentProductionLike,
} from "@rollgate/app/admin/manage";

const list = (value: FormDataEntryValue | null) =>
  String(value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export async function roleAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const input = z
    .object({
      email: z.email("Give the person's e-mail."),
      role: z.string(),
      service: z.string().optional(),
      grant: z.enum(["1", "0"]),
    })
    .safeParse(Object.fromEntries(form));
  if (!input.success) return { error: input.error.issues[0]?.message ?? "The form is incomplete." };
  const { email, role, service, grant } = input.data;
  return asAdmin("/admin/users", async (admin) => {
    await changeRole(await adminDeps(), admin, { email, role, service: service || undefined, grant: grant === "1" });
    return {
      done:
        grant === "1"
          ? `${email} is now ${role.replace("_", " ")}${service ? ` for ${service}` : ""}.`
          : `${email} is no longer ${role.replace("_", " ")}.`,
    };
  });
}

/** Links or unlinks a forge login or another e-mail to a person (how release authors are recognised). */
export async function identityAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const input = z
    .object({
      email: z.email("Give the person's e-mail."),
      kind: z.enum(["login", "email"]),
      value: z.string().max(200),
      link: z.enum(["1", "0"]),
    })
    .safeParse(Object.fromEntries(form));
  if (!input.success) return { error: input.error.issues[0]?.message ?? "The form is incomplete." };
  const { email, kind, value, link } = input.data;
  return asAdmin("/admin/users", async (admin) => {
    await changeIdentity(await useCaseDeps(), admin, { email, kind, value, link: link === "1" });
    return {
      done:
        link === "1"
          ? `${email} is now also known as ${kind} ${value}.`
          : `${email} is no longer known as ${kind} ${value}.`,
    };
  });
}

/** Clears a local account's failed sign-ins, which pause its owner's address and slow every attempt down. */
export async function unlockSignInAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const input = z.object({ email: z.email("Give the person's e-mail.") }).safeParse(Object.fromEntries(form));
  if (!input.success) return { error: input.error.issues[0]?.message ?? "The form is incomplete." };
  const { email } = input.data;
  return asAdmin("/admin/users", async (admin) => {
    const cleared = await unlockSignIn(await useCaseDeps(), admin, email);
    return {
      done: `${email} can sign in again: ${cleared} failed attempt${cleared === 1 ? "" : "s"} no longer count${cleared === 1 ? "s" : ""}.`,
    };
  });
}

export async function createTokenAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const input = z
    .object({
      service: z.string().min(1, "Choose a service."),
      name: z.string().min(1, "Name the token after its pipeline.").max(100),
    })
    .safeParse(Object.fromEntries(form));
  if (!input.success) return { error: input.error.issues[0]?.message ?? "The form is incomplete." };
  return asAdmin("/admin/tokens", async (admin) => {
    const created = await createToken(await adminDeps(), admin, {
      ...input.data,
      environments: list(form.get("environments")),
      scopes: form.getAll("scopes").map(String),
    });
    return { done: "Token created.", reveal: { ROLLGATE_TOKEN: created.token, ROLLGATE_SECRET: created.secret } };
  });
}

export async function revokeTokenAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const id = z.uuid().safeParse(form.get("id"));
  if (!id.success) return { error: "Unknown token." };
  return asAdmin("/admin/tokens", async (admin) => {
    await revokeToken(await adminDeps(), admin, id.data);
    return { done: "Token revoked: CI requests with it are refused from now on." };
  });
}

export async function policyAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const input = z.object({ environmentId: z.uuid(), policy: z.string() }).safeParse(Object.fromEntries(form));
  if (!input.success) return { error: "The form is incomplete." };
  return asAdmin("/admin/policies", async (admin) => {
    const saved = await savePolicy(await adminDeps(), admin, {
      environmentId: input.data.environmentId,
      policyJson: input.data.policy,
    });
    return {
      done: saved.credentialDropped
        ? "Policy saved; the gate uses it from now on. The SLO source's address changed, so its stored credential was removed: store it again below."
        : "Policy saved; the gate uses it from now on.",
    };
  });
}

/** Marks an environment production-like (production's defaults, a second person for overrides) or not. */
export async function productionLikeAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const input = z
    .object({ environmentId: z.uuid(), productionLike: z.enum(["1", "0"]) })
    .safeParse(Object.fromEntries(form));
  if (!input.success) return { error: "The form is incomplete." };
  return asAdmin("/admin/policies", async (admin) => {
    const changed = await setEnvironmentProductionLike(await adminDeps(), admin, {
      environmentId: input.data.environmentId,
      productionLike: input.data.productionLike === "1",
    });
    return {
      done: changed.productionLike
        ? `${changed.name} is production-like: overrides there wait for a second person unless its policy says otherwise. Its policy is unchanged; review it below.`
        : `${changed.name} is no longer production-like. Its policy is unchanged; review it below.`,
    };
  });
}
