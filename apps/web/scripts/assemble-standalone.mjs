// After `next build`: completes the standalone server folder so it runs on its own
// (static assets, and Rollgate's migrations, which the server applies at start).
import { cpSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const web = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const server = path.join(web, ".next", "standalone", "apps", "web");
cpSync(path.join(web, ".next", "static"), path.join(server, ".next", "static"), { recursive: true });
if (existsSync(path.join(web, "public"))) cpSync(path.join(web, "public"), path.join(server, "public"), { recursive: true });
cpSync(path.join(web, "..", "..", "packages", "db", "drizzle"), path.join(server, "drizzle"), { recursive: true });
console.log(`standalone server assembled in ${path.relative(process.cwd(), server)}`);
