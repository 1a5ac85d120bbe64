/**
 * What opening a session needs, resolved by src/config/connection.ts from flags, DSN, file and environment.
 * @module
 */

/** Everything needed to open a session. `password` is never printed. */
export interface ConnectionSettings {
  /** Host name or address, or a unix-socket directory (starts with `/`). */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  readonly password?: string;
  readonly sslmode: SslMode;
  readonly connectTimeoutMs: number;
}

/** libpq's sslmode values. */
export type SslMode = (typeof SSLMODES)[number];

/** libpq's sslmode values, in order of strictness. */
export const SSLMODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;
