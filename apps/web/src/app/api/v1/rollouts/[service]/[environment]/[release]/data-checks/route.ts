export { readDataChecks as GET } from "@/server/gate/data-check-routes";

export const dynamic = "force-dynamic";
