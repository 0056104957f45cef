import { LiveOverview } from "@/components/overview/live-overview";
import { Refusal } from "@/components/refusal";
import { pageReader } from "@/server/auth/reading";
import { getOverview } from "@rollgate/app/overview/get-overview";
import { currentUser } from "@/server/auth/current-user";
import { useCaseDeps } from "@/server/use-case-deps";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const { refusal } = await pageReader({ kind: "overview" }, "/");
  if (refusal) return <Refusal message={refusal} />;
  return <LiveOverview initialJson={JSON.stringify(await getOverview(await useCaseDeps(), await currentUser()))} />;
}
