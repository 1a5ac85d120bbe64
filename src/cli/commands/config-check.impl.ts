/**
 * `posemo config check`: loads and validates the configuration without connecting, then prints one
 * line per host with what it inherits. Exit 0 when valid, 1 when invalid, 3 when no file is found.
 * @module
 */
import type { CliContext } from "../context.ts";
import { say } from "../context.ts";
import { commandConfig, configPath } from "../load-config.ts";
import { UserError } from "../../errors.ts";
import type { ConfigCheckFlags } from "./config-check.ts";
import { catalogue } from "../../catalogue/catalogue.generated.ts";
import { configCandidates } from "../../config/load.ts";
import { type ConfiguredHost, configuredHosts } from "../../config/merge.ts";

function describeHost(host: ConfiguredHost): string {
  const s = host.settings;
  const where = [s.host ?? "(PGHOST)", s.port ?? "(PGPORT)"].join(":") +
    `/${s.dbname ?? "(PGDATABASE)"} as ${s.user ?? "(PGUSER)"}`;
  const disabled = Object.entries(s.checks).filter(([, c]) => c.enabled === false).map(([name]) => name);
  const checks = disabled.length === 0 ? "all checks" : `all checks but ${disabled.join(", ")}`;
  return `${host.name}${host.group !== undefined ? ` [${host.group}]` : ""}: ${where}, ${checks}`;
}

export default async function configCheck(this: CliContext, flags: ConfigCheckFlags): Promise<void> {
  const env = this.process.env;
  const path = configPath({ path: flags.config, env });
  if (path === undefined) {
    throw new UserError(
      `Cannot find a configuration file: looked for ${configCandidates(env).join(", ")} (or use --config FILE)`,
    );
  }
  const config = commandConfig({ path, env, catalogue, invalid: "failed" })!;
  const hosts = configuredHosts(config);
  say(
    this,
    `${path}: valid, ${hosts.length} host${hosts.length === 1 ? "" : "s"} in ${config.groups.length} group${
      config.groups.length === 1 ? "" : "s"
    }`,
  );
  for (const host of hosts) say(this, describeHost(host));
}
