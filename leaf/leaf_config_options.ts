/**
 * What `trellis leaf config` is told, and the checks of its options other
 * than the subjects (leaf/bridge_subjects.ts checks those): the hub's URL,
 * the listen and monitoring addresses, file paths and names. Each check
 * throws a TypeError naming the option and the value at fault.
 *
 * @module
 */

/** What `trellis leaf config` is told. Only `hub` is required. */
export interface LeafConfigOptions {
  /** The hub's leaf node URL, `nats-leaf://[user:pass@]host[:7422]`. */
  hub: string;
  /** A `.creds` file the leaf authenticates with (hub: operator mode). */
  creds?: string;
  /** The hub account the device's link joins. */
  account?: string;
  /** The CA that checks the other side's certificate. */
  tlsCa?: string;
  /** This side's certificate (a client certificate on the device). */
  tlsCert?: string;
  /** The key of `tlsCert`. */
  tlsKey?: string;
  /**
   * Device: where trellis connects (`127.0.0.1:4222`). Hub: where leaf
   * nodes connect (`0.0.0.0` and the port of `hub`).
   */
  listen?: string;
  /**
   * Device: where the leaf serves its monitoring endpoint, which trellis
   * polls to learn whether the hub is reachable (`127.0.0.1:8222`);
   * `none` serves none.
   */
  monitor?: string;
  /** Enables JetStream on the device in this domain. */
  jetstreamDomain?: string;
  /** Where the device's JetStream keeps its data. */
  jetstreamStore?: string;
  /** The device publishes, the hub receives. */
  exports?: string[];
  /** The hub requests (or publishes), the device answers. */
  exportServices?: string[];
  /** The hub publishes, the device receives. */
  imports?: string[];
  /** The device requests (or publishes), the hub answers. */
  importServices?: string[];
  /** The lattice name the default subjects belong to. */
  lattice?: string;
  /** Bridges only the subjects given, none by default. */
  noDefaults?: boolean;
}

/** Where trellis connects on the device unless told otherwise. */
export const DEVICE_LISTEN = "127.0.0.1:4222";
/** Where the device's leaf serves its monitoring endpoint by default. */
export const DEVICE_MONITOR = "127.0.0.1:8222";

/** The hub's leaf URL, taken apart. */
export interface HubAddress {
  url: string;
  /** The URL without its password, for comments. */
  shown: string;
  port: number;
  user?: string;
  password?: string;
  tls: boolean;
}

const LEAF_PORT = 7422;
const HUB_SCHEMES = ["nats-leaf:", "nats:", "tls:"];
const NAME = /^[A-Za-z0-9_-]+$/;
const ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
// Whitespace and control characters never belong in a URL or a path.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Reads `options.hub`, refusing what a leaf remote cannot dial. */
export function parseHub(options: LeafConfigOptions): HubAddress {
  const text = options.hub;
  let url: URL | undefined;
  try {
    url = /\s/.test(text) || CONTROL.test(text) ? undefined : new URL(text);
  } catch {
    // Reported below.
  }
  const scheme = url?.protocol ?? "";
  const extra = url && (url.search || url.hash || url.pathname.length > 1);
  if (!url || !HUB_SCHEMES.includes(scheme) || !url.hostname || extra) {
    throw new TypeError(
      `Invalid --hub "${text}": expected nats-leaf://HOST[:PORT], ` +
        `nats://HOST[:PORT] or tls://HOST[:PORT]`,
    );
  }
  if (url.username !== "" && options.creds !== undefined) {
    throw new TypeError(
      `Invalid --hub "${text}": give a user in the URL or --creds, not both`,
    );
  }
  const shown = new URL(url);
  shown.password = "";
  return {
    url: text,
    shown: shown.href.replace(/\/$/, ""),
    port: url.port === "" ? LEAF_PORT : Number(url.port),
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    tls: scheme === "tls:" || options.tlsCa !== undefined ||
      options.tlsCert !== undefined || options.tlsKey !== undefined,
  };
}

/** Checks a `--listen` address, `HOST:PORT`, and returns it. */
export function parseListen(text: string): string {
  return parseAddress("--listen", text);
}

/**
 * The device's monitoring address (`HOST:PORT`), or undefined when
 * `--monitor none` turns the endpoint off.
 */
export function parseMonitor(text: string | undefined): string | undefined {
  if (text === "none") return undefined;
  return parseAddress("--monitor", text ?? DEVICE_MONITOR);
}

/** Checks the file paths, names and pairs of options that go together. */
export function checkOptions(options: LeafConfigOptions): void {
  const files: [string, string | undefined][] = [
    ["--creds", options.creds],
    ["--tls-ca", options.tlsCa],
    ["--tls-cert", options.tlsCert],
    ["--tls-key", options.tlsKey],
    ["--jetstream-store", options.jetstreamStore],
  ];
  for (const [flag, path] of files) {
    if (path !== undefined && (path === "" || CONTROL.test(path))) {
      throw new TypeError(`Invalid ${flag} "${path}": expected a file path`);
    }
  }
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new TypeError("Invalid --tls-cert: it goes with --tls-key");
  }
  const names: [string, string | undefined][] = [
    ["--account", options.account],
    ["--jetstream-domain", options.jetstreamDomain],
  ];
  for (const [flag, name] of names) {
    if (name !== undefined && !NAME.test(name)) {
      throw new TypeError(
        `Invalid ${flag} "${name}": use letters, digits, "-" and "_"`,
      );
    }
  }
  if (options.jetstreamStore && options.jetstreamDomain === undefined) {
    throw new TypeError(
      "Invalid --jetstream-store: it goes with --jetstream-domain",
    );
  }
}

function parseAddress(flag: string, text: string): string {
  const match = ADDRESS.exec(text);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    const example = flag === "--monitor" ? DEVICE_MONITOR : DEVICE_LISTEN;
    throw new TypeError(
      `Invalid ${flag} "${text}": expected HOST:PORT, such as ${example}`,
    );
  }
  return text;
}
