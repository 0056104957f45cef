import { LiveOverview } from "@/components/overview/live-overview";
import { getOverview } from "@/server/overview/get-overview";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  return <LiveOverview initial={await getOverview()} />;
}
