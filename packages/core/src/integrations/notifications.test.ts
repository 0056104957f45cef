import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../test/block-kit.ts";
import { BLOCK_KIT_LIMITS, notificationPayload, slackMessage } from "./notifications.ts";

const at = new Date("2026-11-26T12:00:00Z");

describe("Slack messages", () => {
  it("link to the rollout page under the dashboard's URL, with no way to act in Slack", () => {
    const message = slackMessage(
      notificationPayload({
        type: "lease.taken",
        service: "billing",
        environment: "production",
        release: "v 1.2",
        summary: "ci-42 took the contract lease.",
        at,
      }),
      "https://rollgate.example.com",
    );
    expect(blockKitProblems(message)).toEqual([]);
    const actions = message.blocks.find((b) => b.type === "actions") as {
      elements: Array<{ type: string; url: string; action_id?: string }>;
    };
    expect(actions.elements).toEqual([
      expect.objectContaining({
        type: "button",
        url: "https://rollgate.example.com/rollouts/billing/production/v%201.2",
      }),
    ]);
  });

  it("stays within Block Kit's limits for very long names, summaries and facts", () => {
    const long = "x".repeat(10_000);
    const facts = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`fact ${i}`, `<&>${long}`]));
    const message = slackMessage(
      notificationPayload({
        type: "breakglass.awaiting_review",
        service: long,
        environment: long,
        release: long,
        summary: `<script>&${long}`,
        facts,
        at,
      }),
      "https://rollgate.example.com",
    );
    expect(blockKitProblems(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.blocks);
    const section = message.blocks[1] as { text: { text: string } };
    expect(section.text.text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.sectionText);
    expect(section.text.text.startsWith("&lt;script&gt;&amp;")).toBe(true);
  });

  it("the validator itself refuses an over-long header and button", () => {
    expect(
      blockKitProblems({
        blocks: [
          { type: "header", text: { type: "plain_text", text: "h".repeat(151) } },
          {
            type: "actions",
            elements: [{ type: "button", text: { type: "plain_text", text: "b".repeat(76) }, url: "https://x" }],
          },
        ],
      }),
    ).toHaveLength(2);
  });
});
