/**
 * The log half end to end, for `npm run demo`: starts fake-logplexd, writes a serve set of two serves
 * (legacy and heroku format), starts serve-logs on it, replays two real pg_logfebe captures into the
 * sockets with the test sender, prints what fake-logplexd received and serve-logs' figures, stops
 * everything and exits 0 (1 if a record went missing).
 *
 * Run: bun scripts/logs-demo.ts [--posemo dist/posemo]   (default: bun mod.ts)
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { FIXTURE_IDENTITY, fixtureNames, readFixture } from "../dev/fixtures.ts";
import { sendFrames } from "../dev/logfebe-sender.ts";
import { type PosemoCommand, startFakeLogplexd, startServeLogs, waitFor } from "../dev/log-processes.ts";

const { values } = parseArgs({ options: { posemo: { type: "string" } } });
const posemo: PosemoCommand = values.posemo ? { command: [resolve(values.posemo)] } : {};
const FIXTURES = { shop: "pg15-psql-select-and-errors", billing: "pg15-psql-mixed-session" } as const;

const root = mkdtempSync(join(tmpdir(), "posemo-logs-demo-"));
const db = join(root, "serves");
mkdirSync(db);
let missing = 0;
try {
  missing = await demo();
} finally {
  rmSync(root, { recursive: true, force: true });
}
process.exit(missing === 0 ? 0 : 1);

async function demo(): Promise<number> {
  if (!Object.values(FIXTURES).every((name) => fixtureNames().includes(`${name}.bin`))) {
    throw new Error("Cannot run the logs demo: the pg_logfebe captures are missing");
  }
  const logplex = await startFakeLogplexd(root, [], `t.${crypto.randomUUID()}`, { ...posemo, quiet: false });
  const serves = [
    { i: FIXTURE_IDENTITY, p: join(root, "shop.sock"), url: logplex.url, name: "shop" },
    { i: FIXTURE_IDENTITY, p: join(root, "billing.sock"), url: logplex.url, name: "billing", format: "heroku" },
  ];
  writeFileSync(join(db, "serves.new"), JSON.stringify({ serves }, null, 2));
  console.log(
    `serve set (secrets hidden): ${serves.map((s) => `[${s.name}] ${s.p} ${s.format ?? "legacy"}`).join(", ")}`,
  );
  const sl = await startServeLogs(db, ["--flush-interval", "100ms"], {}, posemo);
  try {
    await Promise.all(
      serves.map((serve) => sendFrames(serve.p, readFixture(FIXTURES[serve.name as keyof typeof FIXTURES]))),
    );
    console.log(`replayed ${Object.values(FIXTURES).join(" and ")} into the two sockets`);
    const counters = await waitFor(
      async () => {
        const all = await sl.counters();
        return [...all.values()].every((c) => c.received > 0 && c.pending === 0) && all.size === 2 ? all : undefined;
      },
      20_000,
      () => "the records to be forwarded",
    );
    console.log(`\nfake-logplexd received ${logplex.recorded().length} messages:`);
    console.log(logplex.child.stdout().split("\n").slice(1).join("\n").trimEnd());
    return [...counters.values()].reduce((n, c) => n + c.received - c.forwarded, 0);
  } finally {
    const code = await sl.child.stop("SIGTERM");
    await logplex.child.stop("SIGTERM");
    console.log(`\nserve-logs log (exit code ${code}):`);
    console.log(sl.child.stderr().trimEnd());
  }
}
