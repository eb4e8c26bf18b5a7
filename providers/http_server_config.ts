/**
 * Binding values of `wascc:http_server`, read and checked.
 *
 * @module
 */

/** How one actor's listener is set up. */
export interface HttpServerConfig {
  /** `PORT`, default 8080. */
  port: number;
  /** `HOST`, default `0.0.0.0`. */
  hostname: string;
  /** `MAX_BODY` in bytes, default 1 MiB; larger bodies get 413. */
  maxBodyBytes: number;
  /** `TIMEOUT` in milliseconds, default 30000; slower requests get 504. */
  timeoutMs: number;
}

/** Defaults for values a binding leaves out. */
export const HTTP_SERVER_DEFAULTS: Readonly<HttpServerConfig> = {
  port: 8080,
  hostname: "0.0.0.0",
  maxBodyBytes: 1024 * 1024,
  timeoutMs: 30_000,
};

/**
 * Reads `PORT`, `HOST`, `MAX_BODY` and `TIMEOUT` from binding values.
 * Throws a TypeError naming the value when one is not a valid number.
 */
export function readHttpServerConfig(
  actor: string,
  values: Record<string, string>,
): HttpServerConfig {
  const fail = (reason: string) =>
    new TypeError(
      `Cannot bind actor "${actor}" to wascc:http_server: ${reason}`,
    );
  const integer = (name: string, min: number, max: number, kind: string) => {
    const text = values[name];
    if (text === undefined) return undefined;
    const trimmed = String(text).trim();
    const value = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
    if (!(value >= min && value <= max)) {
      throw fail(`${name} "${text}" is not ${kind}`);
    }
    return value;
  };

  const hostname = values.HOST?.trim() || HTTP_SERVER_DEFAULTS.hostname;
  return {
    port: integer("PORT", 1, 65535, "a port number (1-65535)") ??
      HTTP_SERVER_DEFAULTS.port,
    hostname,
    maxBodyBytes: integer(
      "MAX_BODY",
      0,
      Number.MAX_SAFE_INTEGER,
      "a number of bytes",
    ) ?? HTTP_SERVER_DEFAULTS.maxBodyBytes,
    timeoutMs: integer(
      "TIMEOUT",
      1,
      2 ** 31 - 1,
      "a number of milliseconds (1 or more)",
    ) ?? HTTP_SERVER_DEFAULTS.timeoutMs,
  };
}
