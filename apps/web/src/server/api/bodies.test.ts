import { describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));
const { json, jsonText, requestBody, requestWithBody, responseBytes } = await import("./bodies");

describe("bodies without web streams", () => {
  it("hands over the front's buffer as the request body, with no stream behind it", async () => {
    const bytes = Buffer.from('{"type":"slo.snapshot"}');
    const request = requestWithBody("http://rollgate.test/api/v1/events", { method: "POST" }, bytes);
    expect(request.body).toBeNull();
    expect(await requestBody(request)).toBe(bytes);
  });

  it("reads any other request's stream, as Next.js hands it over", async () => {
    const request = new Request("http://rollgate.test/api/v1/events", { method: "POST", body: "{}" });
    expect((await requestBody(request)).toString()).toBe("{}");
  });

  it("answers JSON with its status and headers, and keeps the text it was made of", async () => {
    const data = { event_id: "e1", duplicate: false, note: "é" };
    const response = json(data, { status: 202, headers: { "retry-after": "5" } });
    expect(response.status).toBe(202);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("retry-after")).toBe("5");
    expect((await responseBytes(response))?.toString("utf8")).toBe(JSON.stringify(data));
    // Next.js reads the same response through its stream: the same bytes.
    expect(await json(data).text()).toBe(JSON.stringify(data));
    expect(json(data).status).toBe(200);
  });

  it("answers text serialised already (a gate snapshot) as JSON", async () => {
    const response = jsonText('{"allowed":true}', { headers: { etag: '"3"' } });
    expect(response.headers.get("etag")).toBe('"3"');
    expect((await responseBytes(response))?.toString()).toBe('{"allowed":true}');
  });

  it("reads any other response's stream, and gives null for no body", async () => {
    expect((await responseBytes(new Response("plain")))?.toString()).toBe("plain");
    expect(await responseBytes(new Response(null, { status: 304 }))).toBeNull();
  });
});
