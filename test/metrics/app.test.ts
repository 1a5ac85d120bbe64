import { describe, expect, test } from "bun:test";
import { createMetricsApp, EXPOSITION_CONTENT_TYPE } from "../../src/metrics/app.ts";

describe("createMetricsApp()", () => {
  test("GET /metrics answers the exposition text with the 0.0.4 content type", async () => {
    const app = createMetricsApp({ metrics: async () => "posemo_up 1\n" });
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(EXPOSITION_CONTENT_TYPE);
    expect(await res.text()).toBe("posemo_up 1\n");
  });

  test("a collection that throws answers 500 with one line and reports it", async () => {
    const warnings: string[] = [];
    const app = createMetricsApp({
      metrics: async () => Promise.reject(new Error("bug")),
      warn: (l) => warnings.push(l),
    });
    const res = await app.request("/metrics");
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("cannot collect: bug\n");
    expect(warnings).toEqual(["posemo serve-metrics: cannot collect: bug"]);
  });

  test("GET /healthz answers ok without collecting; unknown paths 404", async () => {
    let collected = 0;
    const app = createMetricsApp({ metrics: async () => String(++collected) });
    expect(await (await app.request("/healthz")).text()).toBe("ok\n");
    expect((await app.request("/nope")).status).toBe(404);
    expect((await app.request("/")).status).toBe(200);
    expect(collected).toBe(0);
  });
});
