/**
 * Host allow lists for outbound requests: `example.com`, `example.com:8443`,
 * `*.example.com`, `127.0.0.1`, `[::1]:8080`, comma-separated.
 *
 * @module
 */

/** One entry of an allow list, normalised. */
export interface HostPattern {
  /** Host name as the URL parser writes it, without a trailing dot. */
  host: string;
  /** True for `*.host`: any name below `host`, not `host` itself. */
  wildcard: boolean;
  /** The only port allowed; any port when absent. */
  port?: number;
}

const ENTRY = /^(\*\.)?(\[[0-9a-f:.]+\]|[^:\[\]]+)(?::(\d{1,5}))?$/;

/**
 * Parses a comma-separated allow list. Names are lower-cased and written
 * the way URLs write them (IDN as punycode, IPv4 in dotted form); empty
 * entries are skipped. Throws a TypeError naming `source` and the first
 * entry that is not a host name, `host:port` or `*.`-wildcard.
 */
export function parseHostAllowList(
  text: string,
  source = "host allow list",
): HostPattern[] {
  return text.split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry) => parseEntry(entry, source));
}

function parseEntry(entry: string, source: string): HostPattern {
  const invalid = () =>
    new TypeError(
      `Cannot read ${source}: "${entry}" is not a host name, host:port ` +
        "or *.domain",
    );
  const match = ENTRY.exec(entry.toLowerCase());
  if (match === null || /[\/?#@\s*]/.test(match[2])) throw invalid();

  const [, star, name, portText] = match;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (port < 1 || port > 65535)) throw invalid();

  let host: string;
  try {
    host = normalHost(new URL(`http://${name}/`).hostname);
  } catch {
    throw invalid();
  }
  const wildcard = star !== undefined;
  if (wildcard && isIpAddress(host)) throw invalid();
  return port === undefined ? { host, wildcard } : { host, wildcard, port };
}

/**
 * Whether `url`'s host and port match an entry. A wildcard never matches
 * an IP address; an entry without a port matches every port.
 */
export function isHostAllowed(patterns: HostPattern[], url: URL): boolean {
  const host = normalHost(url.hostname);
  const port = effectivePort(url);
  return patterns.some((pattern) => {
    if (pattern.port !== undefined && pattern.port !== port) return false;
    if (!pattern.wildcard) return pattern.host === host;
    return !isIpAddress(host) && host.endsWith(`.${pattern.host}`);
  });
}

/** The port a request to `url` connects to. */
export function effectivePort(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

// `example.com.` and `example.com` name the same host.
function normalHost(hostname: string): string {
  return hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
}

function isIpAddress(host: string): boolean {
  return host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host);
}
