/**
 * The error of an invalid configuration file.
 * @module
 */
import { atLine } from "../yaml-reader.ts";

/** A problem in a configuration file; the message starts with `file:line:`. */
export class ConfigError extends Error {
  constructor(message: string, readonly file: string, readonly line?: number) {
    super(atLine(message, file, line));
    this.name = "ConfigError";
  }
}
