import { requireAdmin } from "@/server/auth/require";
import { AppError } from "@/server/errors";

/** Renders the admin page, or a sentence saying why not (sign in, or ask an admin). */
export async function AdminOnly({ children }: { children: () => Promise<React.ReactNode> }) {
  try {
    await requireAdmin();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return (
      <p role="alert" className="rounded border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950">
        {error.message} {error.code === "unauthenticated" ? <a href="/api/auth/signin" className="underline">Sign in</a> : null}
      </p>
    );
  }
  return <>{await children()}</>;
}
