import { errorCodeSchema, errorResponseSchema } from "@rollgate/core/contract/responses";
import { describe, expect, it, vi } from "vitest";

// The machine error body is declared once, by zod in core: every code answers exactly that.

vi.mock("server-only", () => ({}));
const { AppError, errorResponse } = await import("./errors");

describe("the error wire contract", () => {
  it("answers every error code with the declared error body", async () => {
    for (const code of errorCodeSchema.options.filter((c) => c !== "internal")) {
      const body = await errorResponse(new AppError(code as never, "Something to do next.", { field: "x" })).json();
      expect(errorResponseSchema.parse(body)).toEqual(body);
    }
    const unknown = await errorResponse(new Error("boom")).json();
    expect(errorResponseSchema.parse(unknown).error.code).toBe("internal");
  });
});
