import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadServes, MAX_SERVE_SET_BYTES, ServeDbError, takeNewServes } from "../../../src/logs/servedb/store.ts";
import type { ServeSetContext } from "../../../src/logs/servedb/parse.ts";

const context: ServeSetContext = {};
const valid = JSON.stringify({ serves: [{ i: "db1", p: "/tmp/db1.sock", url: "https://token:t.secret@h/logs" }] });
const validToo = JSON.stringify({ serves: [{ i: "db2", p: "/tmp/db2.sock", url: "https://token:t.secret@h/logs" }] });
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "servedb-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string) => join(dir, name);
const read = (name: string) => readFileSync(file(name), "utf8");

describe("loadServes()", () => {
  test("loadServes() treats an absent serves.loaded as an empty set", async () => {
    expect(await loadServes(dir, context)).toEqual([]);
  });

  test("loadServes() reads serves.loaded", async () => {
    writeFileSync(file("serves.loaded"), valid);
    expect((await loadServes(dir, context)).map((s) => s.identity)).toEqual(["db1"]);
  });

  test("loadServes() throws a ServeDbError naming the file when serves.loaded is invalid", async () => {
    writeFileSync(file("serves.loaded"), "{");
    const error = await loadServes(dir, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServeDbError);
    expect((error as Error).message).toStartWith(
      `Cannot load "${file("serves.loaded")}": Cannot parse the serve set: not valid JSON`,
    );
  });
});

describe("takeNewServes()", () => {
  test("takeNewServes() finds nothing when there is no serves.new", async () => {
    expect(await takeNewServes(dir, context)).toEqual({ kind: "none" });
  });

  test("takeNewServes() makes a valid serves.new the loaded set and clears the old rejection", async () => {
    writeFileSync(file("serves.loaded"), validToo);
    writeFileSync(file("serves.rej"), "old");
    writeFileSync(file("last_error"), "old error\n");
    writeFileSync(file("serves.new"), valid);
    const outcome = await takeNewServes(dir, context);
    expect(outcome.kind === "accepted" && outcome.serves.map((s) => s.identity)).toEqual(["db1"]);
    expect(read("serves.loaded")).toBe(valid);
    expect(readdirSync(dir).sort()).toEqual(["serves.loaded"]);
  });

  test("takeNewServes() renames an invalid serves.new to serves.rej, explains it in last_error and keeps serves.loaded", async () => {
    writeFileSync(file("serves.loaded"), validToo);
    const bad = JSON.stringify({ serves: [{ i: "db1", p: "relative.sock", url: "https://token:t.secret@h/logs" }] });
    writeFileSync(file("serves.new"), bad);
    const outcome = await takeNewServes(dir, context);
    expect(outcome).toEqual({
      kind: "rejected",
      error: `Cannot use socket path "relative.sock" for serves[0] ("db1"): it must be absolute`,
    });
    expect(read("serves.rej")).toBe(bad);
    expect(read("last_error")).toBe(
      `Cannot use socket path "relative.sock" for serves[0] ("db1"): it must be absolute\n`,
    );
    expect(read("serves.loaded")).toBe(validToo);
    expect(existsSync(file("serves.new"))).toBe(false);
  });

  test("takeNewServes() replaces an earlier rejection with the newer one", async () => {
    writeFileSync(file("serves.new"), "not json");
    await takeNewServes(dir, context);
    writeFileSync(file("serves.new"), JSON.stringify({ serves: [{ i: "x" }] }));
    await takeNewServes(dir, context);
    expect(read("last_error")).toBe(`Cannot use serves[0] ("x"): missing key "p"\n`);
    expect(readdirSync(dir).sort()).toEqual(["last_error", "serves.rej"]);
  });

  test("takeNewServes() leaves no temporary files behind", async () => {
    writeFileSync(file("serves.new"), valid);
    await takeNewServes(dir, context);
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

describe("takeNewServes() against a hostile serve database", () => {
  test("takeNewServes() rejects a serves.new that is a link to an endless file, without reading it", async () => {
    symlinkSync("/dev/zero", file("serves.new"));
    const outcome = await takeNewServes(dir, context);
    expect(outcome).toEqual({ kind: "rejected", error: expect.stringContaining("not a regular file") });
  }, 10_000);

  test("takeNewServes() rejects a serves.new that is a FIFO instead of waiting for a writer", async () => {
    execFileSync("mkfifo", [file("serves.new")]);
    const outcome = await takeNewServes(dir, context);
    expect(outcome).toEqual({ kind: "rejected", error: expect.stringContaining("not a regular file") });
  }, 10_000);

  test("takeNewServes() rejects a serves.new over the size limit in one line", async () => {
    writeFileSync(file("serves.rej"), "an older rejected serve set");
    writeFileSync(file("serves.new"), " ".repeat(MAX_SERVE_SET_BYTES + 1));
    const outcome = await takeNewServes(dir, context);
    const error = `Cannot read serves.new: it is ${MAX_SERVE_SET_BYTES + 1} bytes, the limit is ${MAX_SERVE_SET_BYTES}`;
    expect(outcome).toEqual({ kind: "rejected", error });
    expect(read("last_error")).toBe(error + "\n");
    expect(readdirSync(dir).sort()).toEqual(["last_error"]);
  }, 10_000);

  test("loadServes() refuses a serves.loaded that is not a regular file", async () => {
    symlinkSync("/dev/zero", file("serves.loaded"));
    const error = await loadServes(dir, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServeDbError);
    expect((error as Error).message).toContain("not a regular file");
  }, 10_000);
});
