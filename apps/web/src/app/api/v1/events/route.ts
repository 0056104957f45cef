export { postEvent as POST } from "@/server/events/events-route";

export const dynamic = "force-dynamic";
