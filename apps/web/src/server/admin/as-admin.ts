import "server-only";
import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { requireAdmin } from "../auth/require";
import { AppError } from "../errors";
import { inAction } from "../action";

/**
 * The frame of every admin server action: a signed-in global admin, then the work, then the
 * page (`path`) rendered again; a refusal becomes the sentence (and field errors) the form shows.
 */
export function asAdmin(
  path: string | null,
  work: (admin: Awaited<ReturnType<typeof requireAdmin>>) => Promise<ActionState>,
): Promise<ActionState> {
  return inAction(`admin ${path ?? "(no page)"}`, () => adminFrame(path, work));
}

async function adminFrame(
  path: string | null,
  work: (admin: Awaited<ReturnType<typeof requireAdmin>>) => Promise<ActionState>,
): Promise<ActionState> {
  try {
    const state = await work(await requireAdmin());
    if (path) revalidatePath(path);
    return state;
  } catch (error) {
    if (error instanceof AppError)
      return {
        error: error.message,
        fields: Array.isArray(error.details) ? (error.details as ActionState["fields"]) : undefined,
      };
    throw error;
  }
}
