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

/**
 * Starts a server on `port`; when `port` is 0, on a free port chosen here, and again on another
 * (three tries in all) when `lostRace` says another process bound the chosen one first.
 */
export async function startOnFreePort(
  port: number,
  start: (port: number) => Promise<void>,
  lostRace: () => boolean,
): Promise<void> {
  if (port !== 0) return start(port);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (attempt >= 3 || !lostRace()) throw error;
    }
  }
}
