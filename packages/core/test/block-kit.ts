import { BLOCK_KIT_LIMITS } from "../src/integrations/notifications.ts";

/** Problems a message would be refused for, by Block Kit's limits; empty when it is valid. */
export function blockKitProblems(message: { text?: string; blocks: Array<Record<string, unknown>> }): string[] {
  const problems: string[] = [];
  const L = BLOCK_KIT_LIMITS;
  const text = (t: unknown) => (t as { text?: string } | undefined)?.text ?? "";
  if (message.blocks.length > L.blocks) problems.push(`${message.blocks.length} blocks > ${L.blocks}`);
  for (const [i, b] of message.blocks.entries()) {
    if (b.type === "header" && (text(b.text).length > L.headerText || text(b.text).length === 0))
      problems.push(`block ${i}: header text length ${text(b.text).length}`);
    if (b.type === "section") {
      if (b.text && (text(b.text).length > L.sectionText || text(b.text).length === 0))
        problems.push(`block ${i}: section text length ${text(b.text).length}`);
      const fields = (b.fields as unknown[] | undefined) ?? [];
      if (fields.length > L.sectionFields) problems.push(`block ${i}: ${fields.length} fields`);
      for (const f of fields)
        if (text(f).length > L.fieldText) problems.push(`block ${i}: field length ${text(f).length}`);
      if (!b.text && fields.length === 0) problems.push(`block ${i}: section without text or fields`);
    }
    if (b.type === "context") {
      const els = (b.elements as unknown[]) ?? [];
      if (els.length === 0 || els.length > L.contextElements)
        problems.push(`block ${i}: ${els.length} context elements`);
      for (const e of els)
        if (text(e).length > L.contextText) problems.push(`block ${i}: context text length ${text(e).length}`);
    }
    if (b.type === "actions")
      for (const e of (b.elements as Array<Record<string, unknown>>) ?? []) {
        if (text(e.text).length > L.buttonText || text(e.text).length === 0)
          problems.push(`block ${i}: button text length ${text(e.text).length}`);
        const u = String(e.url ?? "");
        if (u.length > L.buttonUrl || !/^https?:\/\//.test(u))
          problems.push(`block ${i}: button url ${u.slice(0, 40)}`);
      }
  }
  if ((message.text ?? "").length > L.fallbackText) problems.push("fallback text too long");
  return problems;
}
