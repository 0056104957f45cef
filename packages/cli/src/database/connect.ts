import postgres from "postgres";
import type { Query } from "@rollgate/core/inspect/collect";
import type { DescribeColumns } from "@rollgate/core/inspect/data-checks";

// One connection to the application's database, never a pool: `rollgate inspect` runs its
// read-only transaction on it, `rollgate run` its statements and SET LOCALs.

export interface Connection {
  query: Query;
  /** Where each output column of a statement comes from, without running it (Parse + Describe). */
  describe: DescribeColumns;
  /** The server process of this connection (to tell our own locks from others'). */
  pid(): Promise<number>;
  close(): Promise<void>;
}

export function connect(url: string, applicationName = "rollgate"): Connection {
  const sql = postgres(url, {
    max: 1,
    onnotice: () => undefined,
    connection: { application_name: applicationName },
    prepare: false,
  });
  const query: Query = async <T>(text: string, params: unknown[] = []) =>
    (await sql.unsafe(text, params as never[])) as unknown as T[];
  const describe: DescribeColumns = async (text) => {
    const described = await sql.unsafe(text).describe();
    return (described.columns ?? []).map((c) => ({ table: Number(c.table) || 0, number: Number(c.number) || 0 }));
  };
  return {
    query,
    describe,
    pid: async () => Number((await query<{ pid: number }>("select pg_backend_pid() as pid"))[0]!.pid),
    close: () => sql.end({ timeout: 5 }),
  };
}
