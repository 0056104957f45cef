import type { PGlite } from "@electric-sql/pglite";
import type { StepError } from "@rollgate/core/rehearsal";

// The extended query protocol, spoken to the embedded PGlite directly: Parse and Describe an
// unnamed statement (its parameter types, nothing runs), and Bind/Execute it with text values.
// Several messages go in one call; PostgreSQL skips to the Sync after an error, so a batch
// reports the first error it met.

const cstring = (text: string) => Buffer.concat([Buffer.from(text, "utf8"), Buffer.from([0])]);

function message(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type, "ascii"), length, body]);
}

const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

export const parseMessage = (sql: string) => message("P", Buffer.concat([cstring(""), cstring(sql), int16(0)]));
export const describeMessage = () => message("D", Buffer.concat([Buffer.from("S", "ascii"), cstring("")]));
export const syncMessage = () => message("S", Buffer.alloc(0));
export const queryMessage = (sql: string) => message("Q", cstring(sql));
export const executeMessage = () => message("E", Buffer.concat([cstring(""), int32(0)]));
export function bindMessage(values: ReadonlyArray<string | null>): Buffer {
  const parts: Buffer[] = [cstring(""), cstring(""), int16(0), int16(values.length)];
  for (const v of values) {
    if (v === null) parts.push(int32(-1));
    else {
      const bytes = Buffer.from(v, "utf8");
      parts.push(int32(bytes.length), bytes);
    }
  }
  parts.push(int16(0));
  return message("B", Buffer.concat(parts));
}

interface ProtocolMessage {
  name: string;
}

export interface BatchResult {
  /** The first error, null when none. */
  error: StepError | null;
  /** Parameter type OIDs from a ParameterDescription, when one came back. */
  parameterTypes: number[] | null;
}

/** Sends the messages as one batch and reads back the first error and any parameter types. */
export async function send(db: PGlite, messages: Buffer[]): Promise<BatchResult> {
  const { messages: replies } = await db.execProtocol(new Uint8Array(Buffer.concat(messages)), {
    throwOnError: false,
    syncToFs: false,
  });
  let error: StepError | null = null;
  let parameterTypes: number[] | null = null;
  for (const m of replies as ProtocolMessage[]) {
    if (m.name === "error" && !error) {
      const e = m as unknown as { message: string; code?: string };
      error = { message: e.message, ...(e.code ? { sqlstate: e.code } : {}) };
    } else if (m.name === "parameterDescription") {
      parameterTypes = (m as unknown as { dataTypeIDs: number[] }).dataTypeIDs;
    }
  }
  return { error, parameterTypes };
}

/** Parses and describes many statements in one call, one Sync each (an error ends only its own
 * statement's group): their parameter types, or their errors, in order. */
export async function prepareMany(
  db: PGlite,
  texts: readonly string[],
): Promise<Array<{ error: StepError | null; parameterTypes: number[] }>> {
  const out: Array<{ error: StepError | null; parameterTypes: number[] }> = [];
  const CHUNK = 250;
  for (let start = 0; start < texts.length; start += CHUNK) {
    const chunk = texts.slice(start, start + CHUNK);
    const messages = chunk.flatMap((text) => [parseMessage(text), describeMessage(), syncMessage()]);
    const { messages: replies } = await db.execProtocol(new Uint8Array(Buffer.concat(messages)), {
      throwOnError: false,
      syncToFs: false,
    });
    let current: { error: StepError | null; parameterTypes: number[] } = { error: null, parameterTypes: [] };
    for (const m of replies as ProtocolMessage[]) {
      if (m.name === "error" && !current.error) {
        const e = m as unknown as { message: string; code?: string };
        current.error = { message: e.message, ...(e.code ? { sqlstate: e.code } : {}) };
      } else if (m.name === "parameterDescription")
        current.parameterTypes = (m as unknown as { dataTypeIDs: number[] }).dataTypeIDs;
      else if (m.name === "readyForQuery") {
        out.push(current);
        current = { error: null, parameterTypes: [] };
      }
    }
    if (out.length !== start + chunk.length) throw new Error("the embedded PostgreSQL answered out of step");
  }
  return out;
}
