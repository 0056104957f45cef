import { Refusal } from "@/components/refusal";
import { pageReader } from "@/server/auth/reading";

/** Renders the admin page; sends an anonymous visitor to sign-in (back to `path`), and tells anyone else why not. */
export async function AdminOnly({ path, children }: { path: string; children: () => Promise<React.ReactNode> }) {
  const { refusal } = await pageReader({ kind: "admin" }, path);
  if (refusal) return <Refusal message={refusal} />;
  return <>{await children()}</>;
}
