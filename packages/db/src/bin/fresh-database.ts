// Drops and recreates one database on the admin URL's server; prints the new database's URL.
import postgres from "postgres";

const [adminUrl, name] = process.argv.slice(2);
if (!adminUrl || !name || !/^[a-z_][a-z0-9_]*$/.test(name)) {
  console.error("usage: fresh-database ADMIN_URL NAME (lower-case letters, digits and _)");
  process.exit(2);
}
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${name} with (force)`);
await admin.unsafe(`create database ${name}`);
await admin.end();
const url = new URL(adminUrl);
url.pathname = `/${name}`;
console.log(url.toString());
