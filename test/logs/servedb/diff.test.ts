import { expect, test } from "bun:test";
import { diffServes, isNoChange } from "../../../src/logs/servedb/diff.ts";
import type { Serve } from "../../../src/logs/servedb/serve.ts";

const serve = (path: string, extra: Partial<Serve> = {}): Serve => ({
  identity: "db",
  socketPath: path,
  endpoint: "https://h/logs",
  user: "token",
  token: "t.x",
  ...extra,
});
const paths = (serves: readonly Serve[]) => serves.map((s) => s.socketPath);

test("diffServes() keeps unchanged serves, opens new ones and closes removed ones", () => {
  const changes = diffServes([serve("/a"), serve("/b")], [serve("/b"), serve("/c")]);
  expect(paths(changes.keep)).toEqual(["/b"]);
  expect(paths(changes.open)).toEqual(["/c"]);
  expect(paths(changes.close)).toEqual(["/a"]);
});

test("diffServes() closes and reopens a serve whose identity, token, name or format changed", () => {
  for (const change of [{ identity: "other" }, { token: "t.y" }, { name: "n" }, { format: "json" as const }]) {
    const changes = diffServes([serve("/a")], [serve("/a", change)]);
    expect([paths(changes.close), paths(changes.open), paths(changes.keep)]).toEqual([["/a"], ["/a"], []]);
  }
});

test("isNoChange() is true only when nothing opens or closes", () => {
  expect(isNoChange(diffServes([serve("/a")], [serve("/a")]))).toBe(true);
  expect(isNoChange(diffServes([], [serve("/a")]))).toBe(false);
});
