import type { PGlite } from "@electric-sql/pglite";
import type { DescribeColumns } from "@rollgate/core/inspect/data-checks";

// What `rollgate inspect` learns from the postgres driver's row description (each output
// column's table OID and attribute number), asked of the embedded PGlite the same way: the
// extended protocol's Parse of the unnamed statement, Describe, Sync. Nothing runs.

const cstring = (text: string) => Buffer.concat([Buffer.from(text, "utf8"), Buffer.from([0])]);

function message(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type, "ascii"), length, body]);
}

export function describeOn(db: PGlite): DescribeColumns {
  return async (sql) => {
    const parse = message("P", Buffer.concat([cstring(""), cstring(sql), Buffer.from([0, 0])]));
    const describe = message("D", Buffer.concat([Buffer.from("S", "ascii"), cstring("")]));
    const sync = message("S", Buffer.alloc(0));
    const { messages } = await db.execProtocol(new Uint8Array(Buffer.concat([parse, describe, sync])));
    for (const m of messages) {
      if (m.name === "error") throw new Error((m as unknown as { message: string }).message);
      if (m.name === "rowDescription") {
        const fields = (m as unknown as { fields: Array<{ tableID: number; columnID: number }> }).fields;
        return fields.map((f) => ({ table: f.tableID, number: f.columnID }));
      }
    }
    return [];
  };
}
