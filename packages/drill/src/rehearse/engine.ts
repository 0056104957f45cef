import type { RehearsalReport } from "@rollgate/core/rehearsal";
import type { RehearsalInput, RehearsalOptions } from "./input.ts";

/** Rehearses `input.statements` after expand, then after the contract. Throws RehearsalInputError on bad input. */
export async function rehearse(_input: RehearsalInput, _options: RehearsalOptions = {}): Promise<RehearsalReport> {
  throw new Error("not implemented yet");
}
