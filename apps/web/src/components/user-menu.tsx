import { currentUser } from "@/server/auth/current-user";

/** Who is signed in, with sign-out; or a sign-in link. */
export async function UserMenu() {
  const user = await currentUser().catch(() => null);
  if (!user)
    return (
      <a href="/sign-in" className="ml-auto text-sm font-medium underline-offset-2 hover:underline">
        Sign in
      </a>
    );
  return (
    <span className="ml-auto flex items-center gap-3 text-sm">
      <span>
        {user.name ?? user.email}{" "}
        <span className="text-slate-500 dark:text-slate-400">
          ({user.roles.map((r) => r.role.replace("_", " ")).join(", ") || "no role yet"})
        </span>
      </span>
      <a href="/api/auth/signout" className="underline-offset-2 hover:underline">
        Sign out
      </a>
    </span>
  );
}
