export { readGate as GET } from "@/server/gate/gate-routes";

export const dynamic = "force-dynamic";
