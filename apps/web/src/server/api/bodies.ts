import "server-only";

// Bodies without web streams where the standalone front answers a machine route itself
// (server/front/machine-routes.ts): the request's body is the buffer the front already read off
// the socket, and a JSON answer is written from the text it was made of. A `Request` or
// `Response` built with a body wraps it in a ReadableStream, and reading one back costs about
// 70 µs an event under Next's async hooks (docs/BENCHMARKS.md, event ingestion). Next.js hands
// the same handlers real streams; every reader here falls back to them.

const requestBodies = new WeakMap<Request, Buffer>();
const responseTexts = new WeakMap<Response, string>();

/** A request whose body was read already: `requestBody` returns it as it is. */
export function requestWithBody(url: string, init: Omit<RequestInit, "body">, body: Buffer): Request {
  const request = new Request(url, init);
  requestBodies.set(request, body);
  return request;
}

/** The request's body: the front's buffer, or the stream read to its end. */
export async function requestBody(request: Request): Promise<Buffer> {
  return requestBodies.get(request) ?? Buffer.from(await request.arrayBuffer());
}

/** `Response.json`, keeping the text so that `responseBytes` need not read it back. */
export function json(data: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return jsonText(JSON.stringify(data), init);
}

/** A JSON answer from text serialised already (a gate snapshot's). */
export function jsonText(text: string, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  const response = new Response(text, {
    status: init.status,
    headers: { "content-type": "application/json", ...init.headers },
  });
  responseTexts.set(response, text);
  return response;
}

/** The response's body as bytes (null without one): the kept text, or the stream read to its end. */
export async function responseBytes(response: Response): Promise<Buffer | null> {
  const text = responseTexts.get(response);
  if (text !== undefined) return Buffer.from(text);
  return response.body ? Buffer.from(await response.arrayBuffer()) : null;
}

/** The response's body as text without consuming it (null without one): the kept text, or a clone read to its end. */
export async function responseText(response: Response): Promise<string | null> {
  const text = responseTexts.get(response);
  if (text !== undefined) return text;
  return response.body ? response.clone().text() : null;
}
