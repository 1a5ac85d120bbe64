/**
 * Every JSON example in the README is input the real command accepts or output a test compares with
 * what posemo writes: serve sets go to a running `posemo serve-logs` as `serves.new`; the two output
 * examples are covered where their format is tested. A new JSON example fails here until it is fed
 * to something.
 */
import { afterEach, expect, test } from "bun:test";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readmeBlocks, readmeExample } from "../integrations/readme-examples.ts";
import { type Child, startFakeLogplexd, startServeLogs, tempServeDirs, waitFor } from "../../dev/log-processes.ts";

const setups: Array<ReturnType<typeof tempServeDirs>> = [];
const children: Child[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop("SIGKILL")));
  for (const setup of setups.splice(0)) setup.cleanup();
});

const jsonBlocks = readmeBlocks().filter((b) => b.language === "json");
const isServeSet = (body: string) => /"serves"|"i":/.test(body);

test("the README's JSON examples are the serve set, check's JSON output and the Zabbix discovery, nothing unaccounted for", () => {
  const kinds = jsonBlocks.map((
    b,
  ) => (isServeSet(b.body)
    ? "serve set"
    : b.body.includes('"posemo.check/2"')
    ? "check output"
    : b.body.includes('"{#HOST}"')
    ? "zabbix discovery"
    : `unknown (README.md:${b.line})`)
  );
  expect(kinds.sort()).toEqual(["check output", "serve set", "zabbix discovery"]);
  expect(jsonBlocks.filter((b) => isServeSet(b.body)).map((b) => b.body)).toEqual([readmeExample("serves-new").body]);
  for (const block of jsonBlocks) expect(JSON.parse(block.body)).toBeObject();
});

for (const block of jsonBlocks.filter((b) => isServeSet(b.body))) {
  test(`serve-logs accepts the README's serve set (README.md:${block.line}) as serves.new`, async () => {
    const setup = tempServeDirs();
    setups.push(setup);
    const logplex = await startFakeLogplexd(setup.root);
    children.push(logplex.child);
    const sl = await startServeLogs(setup.db, [], { LOGPLEX_URL: logplex.url });
    children.push(sl.child);
    writeFileSync(join(setup.db, ".serves.new.tmp"), block.body);
    renameSync(join(setup.db, ".serves.new.tmp"), join(setup.db, "serves.new"));
    sl.hangup();
    await waitFor(() => !existsSync(join(setup.db, "serves.new")) || undefined, 10_000, () => "serves.new taken");
    expect(existsSync(join(setup.db, "last_error")) ? readFileSync(join(setup.db, "last_error"), "utf8") : "").toBe("");
    expect(readFileSync(join(setup.db, "serves.loaded"), "utf8")).toBe(block.body);
    const serves = (JSON.parse(block.body) as { serves: unknown[] }).serves;
    await sl.child.waitForStderr(new RegExp(`accepted serves.new with ${serves.length} serves`));
  }, 30_000);
}
