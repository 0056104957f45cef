// Drops and recreates one database on the admin URL's server; prints the new database's URL.
import { freshDatabase } from "../fresh-database.ts";

const [adminUrl, name] = process.argv.slice(2);
if (!adminUrl || !name) {
  console.error("usage: fresh-database ADMIN_URL NAME (lower-case letters, digits and _)");
  process.exit(2);
}
console.log(await freshDatabase(adminUrl, name));
