import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { readCliEnv, rolloutKeys } from "../env.ts";
import { API } from "@rollgate/core/contract/endpoints";
import type { EventBody } from "@rollgate/core/contract/events";
import { explain, request } from "../http.ts";
import { UsageError, type Io } from "../io.ts";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";

export const ROLLOUT_OPTIONS = {
  service: { type: "string" },
  environment: { type: "string" },
  release: { type: "string" },
} as const;

/** `rollgate send TYPE --data FILE|- [--service S --environment E --release R] [--occurred-at ISO]` */
export async function sendCommand(args: string[], io: Io, stdin: () => Promise<string> = readStdin): Promise<number> {
  const { values, positionals } = parse(args);
  const type = positionals[0];
  if (!type) throw new UsageError("name the event type, e.g. rollgate send app.deployed --data deploy.json");
  const keys = rolloutKeys(values);
  let data: unknown = {};
  if (values.data) {
    const text =
      values.data === "-"
        ? await stdin()
        : await readFile(values.data, "utf8").catch(() => {
            throw new UsageError(`cannot read ${values.data}.`);
          });
    try {
      data = JSON.parse(text);
    } catch {
      throw new UsageError(`--data ${values.data} is not JSON.`);
    }
  }
  return sendEvent(io, type, keys, data, values["occurred-at"]);
}

export async function sendEvent(
  io: Io,
  type: string,
  keys: RolloutKey,
  data: unknown,
  occurredAt?: string,
): Promise<number> {
  const env = readCliEnv();
  const answer = await request(env, API.events, {
    // What the user wrote, as they wrote it: the server's schema says what is wrong with it.
    body: { type, ...keys, occurred_at: occurredAt ?? new Date().toISOString(), data } as EventBody,
  });
  if (answer.status === 202) {
    io.out(JSON.stringify(answer.json));
    return 0;
  }
  io.err(`rollgate send ${type}: refused — ${explain(answer)}`);
  return 1;
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { ...ROLLOUT_OPTIONS, data: { type: "string" }, "occurred-at": { type: "string" } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
