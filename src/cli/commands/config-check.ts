/** `posemo config check`: flag specification; the body is loaded on demand. @module */
import { buildCommand } from "@stricli/core";
import type { CliContext } from "../context.ts";
import { targetFlagSpecs } from "../target-flags.ts";

/** Flags of `posemo config check`. */
export interface ConfigCheckFlags {
  readonly config?: string;
}

export const configCheckCommand = buildCommand<ConfigCheckFlags, [], CliContext>({
  loader: () => import("./config-check.impl.ts"),
  parameters: {
    flags: {
      config: targetFlagSpecs.config,
    },
  },
  docs: { brief: "Validate a configuration file without connecting; print the hosts it configures" },
});
