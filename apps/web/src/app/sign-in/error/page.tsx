import { pausedMessage } from "@rollgate/core/access/sign-in";
import type { Metadata } from "next";

export const metadata: Metadata = { title: "Sign-in refused" };

// Known error codes only: a sentence from the URL as such would let anyone put words on this page.
const SENTENCES: Record<string, string> = {
  EmailUnverified: "Your identity provider has not verified this e-mail address, so Rollgate cannot trust it. Verify it with the provider, or ask an admin.",
  SubjectLinked: "This single sign-on account is linked to another Rollgate user (its e-mail changed at the provider). Ask an admin to move it.",
  CredentialsSignin: "The e-mail or the password is wrong. Check both and try again.",
  AccessDenied: "Sign-in was refused.",
};

function sentence(code: string | undefined): string {
  const paused = /^Paused:(account|address):(\d+)$/.exec(code ?? "");
  if (paused) return pausedMessage(paused[1] as "account" | "address", Number(paused[2]));
  return SENTENCES[code ?? ""] ?? "Sign-in did not work. Try again, or ask an admin.";
}

export default async function SignInErrorPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  return (
    <div className="max-w-xl space-y-4">
      <h1 className="text-2xl font-semibold">Sign-in refused</h1>
      <p role="alert" data-error={error ?? ""} className="rounded border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950">
        {sentence(error)}
      </p>
      <a href="/api/auth/signin" className="underline">
        Back to sign-in
      </a>
    </div>
  );
}
