import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import { UserMenu } from "@/components/user-menu";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Rollgate", template: "%s · Rollgate" },
  description: "Release gate for rollback-safe PostgreSQL schema changes",
};

const NAV = [
  ["/", "Overview"],
  ["/rollback", "Can I roll back?"],
  ["/api-reference", "API"],
  ["/drill", "Drill"],
  ["/admin/policies", "Policies"],
  ["/admin/tokens", "Tokens"],
  ["/admin/integrations", "Alerting"],
  ["/admin/notifications", "Notifications"],
  ["/admin/jobs", "Jobs"],
  ["/admin/github", "GitHub"],
  ["/admin/users", "Users"],
  ["/admin/audit", "Audit"],
] as const;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-slate-900"
        >
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <nav aria-label="Main" className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
            <Link href="/" className="text-lg font-semibold tracking-tight">
              Rollgate
            </Link>
            {NAV.map(([href, label]) => (
              <Link
                key={href}
                href={href}
                className="text-sm text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
              >
                {label}
              </Link>
            ))}
            <UserMenu />
          </nav>
        </header>
        <main id="main" className="mx-auto max-w-6xl px-4 py-6">
          <Providers>{children}</Providers>
        </main>
      </body>
    </html>
  );
}
