/** `posemo config check`: flag specification; the body is loaded on demand. @module */
import { buildCommand } from "@stricli/core";
import type { CliContext } from "../context.ts";

/** Flags of `posemo config check`. */
export interface ConfigCheckFlags {
  readonly config?: string;
}

export const configCheckCommand = buildCommand<ConfigCheckFlags, [], CliContext>({
  loader: () => import("./config-check.impl.ts"),
  parameters: {
    flags: {
      config: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "file",
        brief: "Configuration file [./posemo.yaml, ~/.config/posemo/posemo.yaml, /etc/posemo/posemo.yaml]",
      },
    },
  },
  docs: { brief: "Validate a configuration file without connecting; print the hosts it configures" },
});
