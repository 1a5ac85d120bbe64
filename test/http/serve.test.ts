import { expect, test } from "bun:test";
import { serveHttp } from "../../src/http/serve.ts";

test("serveHttp() serves a fetch handler on a free loopback port", async () => {
  const server = await serveHttp(
    async (request) => new Response(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`),
    { hostname: "127.0.0.1", port: 0 },
  );
  try {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const response = await fetch(`${server.url}/logs`, { method: "POST", body: "hi" });
    expect(await response.text()).toBe("POST /logs hi");
  } finally {
    await server.close();
  }
});

test("serveHttp() close() answers requests that never settle with 503", async () => {
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const never = () => {
    arrived();
    return new Promise<Response>(() => {});
  };
  const server = await serveHttp(never, { hostname: "127.0.0.1", port: 0 });
  const pending = fetch(`${server.url}/`).then((r) => r.status, () => "transport error");
  await reached;
  await server.close();
  expect([503, "transport error"]).toContain(await pending);
});
