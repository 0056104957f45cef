import { createServer } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now: the system's choice for a listener
 * on port 0, closed again at once. For servers a test starts as other processes (Next.js,
 * PostgreSQL, Prometheus), which cannot report a port they chose themselves. An in-process
 * server should listen on 0 and read its port back instead.
 */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
