import { catalog } from "./catalog.ts";
import { code } from "./code.ts";
import { session } from "./session.ts";
import { tables } from "./tables.ts";

export type { Labelled } from "./labelled.ts";
export const CORPUS = [...tables, ...catalog, ...code, ...session];
