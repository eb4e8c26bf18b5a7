/**
 * Binding values of `wascc:http_client`, read and checked.
 *
 * @module
 */
import type { HostPattern } from "./host_allow_list.ts";
import { parseHostAllowList } from "./host_allow_list.ts";

/** How one actor's outbound requests are made. */
export interface HttpClientConfig {
  /**
   * `TIMEOUT` in milliseconds, default 30000: the limit for the whole
   * request, redirects and response body included.
   */
  timeoutMs: number;
  /** `MAX_RESPONSE_BYTES`, default 10 MiB; a larger body fails the call. */
  maxResponseBytes: number;
  /**
   * `MAX_REDIRECTS`, default 10; 0 returns a redirect response to the
   * actor instead of following it.
   */
  maxRedirects: number;
  /**
   * `ALLOWED_HOSTS`; `null` (the value is absent) allows every host, as
   * waSCC does. A value that is present but blank allows none.
   */
  allowedHosts: HostPattern[] | null;
}

/** Defaults for values a binding leaves out. */
export const HTTP_CLIENT_DEFAULTS: Readonly<HttpClientConfig> = {
  timeoutMs: 30_000,
  maxResponseBytes: 10 * 1024 * 1024,
  maxRedirects: 10,
  allowedHosts: null,
};

/**
 * Reads `TIMEOUT`, `MAX_RESPONSE_BYTES`, `MAX_REDIRECTS` and
 * `ALLOWED_HOSTS` from binding values. Throws a TypeError naming the value
 * when one is not valid.
 */
export function readHttpClientConfig(
  actor: string,
  values: Record<string, string>,
): HttpClientConfig {
  const fail = (reason: string, cause?: unknown) =>
    new TypeError(
      `Cannot bind actor "${actor}" to wascc:http_client: ${reason}`,
      { cause },
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

  let allowedHosts = HTTP_CLIENT_DEFAULTS.allowedHosts;
  if (values.ALLOWED_HOSTS !== undefined) {
    try {
      allowedHosts = parseHostAllowList(
        String(values.ALLOWED_HOSTS),
        "ALLOWED_HOSTS",
      );
    } catch (error) {
      const reason = (error as Error).message.replace(/^C/, "c");
      throw fail(reason, error);
    }
  }

  return {
    timeoutMs: integer(
      "TIMEOUT",
      1,
      2 ** 31 - 1,
      "a number of milliseconds (1 or more)",
    ) ?? HTTP_CLIENT_DEFAULTS.timeoutMs,
    maxResponseBytes: integer(
      "MAX_RESPONSE_BYTES",
      0,
      Number.MAX_SAFE_INTEGER,
      "a number of bytes",
    ) ?? HTTP_CLIENT_DEFAULTS.maxResponseBytes,
    maxRedirects: integer(
      "MAX_REDIRECTS",
      0,
      100,
      "a number of redirects (0-100)",
    ) ?? HTTP_CLIENT_DEFAULTS.maxRedirects,
    allowedHosts,
  };
}
