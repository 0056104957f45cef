import Link from "next/link";
import type { Metadata } from "next";
import { DrillRunner } from "@/components/drill/drill-runner";
import { Refusal } from "@/components/refusal";
import { pageReader } from "@/server/auth/reading";

export const metadata: Metadata = { title: "Incident drill" };
export const dynamic = "force-dynamic";

export default async function DrillPage() {
  const { refusal } = await pageReader({ kind: "drill" }, "/drill");
  if (refusal) return <Refusal message={refusal} />;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Incident drill</h1>
      <p className="max-w-3xl text-slate-600 dark:text-slate-300">
        Replays the incident Rollgate exists for on a throwaway PostgreSQL (embedded, in memory): a release that ships
        app code and a column drop together breaks the old version even after a successful image rollback; the
        expand/contract sequence keeps the app rollback safe until the contract. The same drill runs in a terminal as{" "}
        <code className="font-mono">rollgate drill</code>. The runbook for real releases:{" "}
        <Link className="underline" href="/runbook">
          rolling back around migrations
        </Link>
        .
      </p>
      <DrillRunner />
    </div>
  );
}
