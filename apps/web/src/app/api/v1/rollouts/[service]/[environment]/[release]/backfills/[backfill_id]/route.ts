export { readBackfillControl as GET } from "@/server/backfills/backfill-routes";

export const dynamic = "force-dynamic";
