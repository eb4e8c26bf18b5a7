/**
 * The lattice flags of `trellis up` and how the host joins with them. The
 * bus itself comes from a connector the binary passes in (`leaf/` holds
 * the NATS one), so `runtime/` never loads a NATS client.
 *
 * A host joins by default: with no `--nats` it dials the conventional
 * local server, where a device's leaf node listens, and runs on its own
 * until that answers. `--standalone` keeps it on the loopback bus.
 *
 * `--leaf-monitor URL` names the leaf's monitoring endpoint, which tells
 * whether the hub beyond it is reachable. Without `--nats` it defaults
 * to the conventional one, `http://127.0.0.1:8222`, which
 * `trellis leaf config` enables: a host and its leaf work together with
 * no flag, and a monitor that does not answer only makes the upstream
 * `unknown`, which the outbox treats as the link's state.
 *
 * @module
 */
import { type ParsedFlags, parseDuration, UsageError } from "./flags.ts";
import type { Host } from "./host.ts";
import { InvocationSigner } from "./invocation_token.ts";
import { Lattice } from "./lattice.ts";
import { LatticeSubjects } from "./lattice_subjects.ts";
import type { LinkedBus } from "./link.ts";
import type { Logger } from "./logger.ts";
import { isPublicKey } from "./nkeys.ts";
import { messageOf } from "./wapc_instance.ts";

/** The flags naming a lattice and how to reach it, for `up` and `ctl`. */
export const CONNECTION_FLAGS = {
  nats: "string",
  lattice: "string",
  creds: "string",
  "nats-nkey": "string",
  "tls-ca": "string",
  "tls-cert": "string",
  "tls-key": "string",
} as const;

/** The flags `up` takes for the lattice. */
export const LATTICE_FLAGS = {
  standalone: "boolean",
  ...CONNECTION_FLAGS,
  "rpc-timeout": "string",
  "trusted-host": "list",
  heartbeat: "string",
  "leaf-monitor": "string",
} as const;

/** The NATS servers to dial, and the credentials and TLS files to use. */
export interface ConnectionConfig {
  /** Server URLs, tried in turn. */
  servers: string[];
  /** A `.creds` file (user JWT and seed). */
  credsFile?: string;
  /** A file with a user nkey seed. */
  nkeySeedFile?: string;
  /** TLS files. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** Where and how to reach the lattice's NATS servers. */
export interface LinkConfig extends ConnectionConfig {
  /** The monitoring endpoint of a local leaf node, probed for the hub. */
  leafMonitor?: string;
}

/** Everything `--nats` and its companions say. */
export interface LatticeConfig {
  link: LinkConfig;
  /** The lattice's name (`--lattice`), if any. */
  namespace?: string;
  rpcTimeoutMs: number;
  trustedHosts: string[];
  heartbeatMs: number;
}

/** The server a host dials when no `--nats` is given. */
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/** The leaf monitor probed when neither `--nats` nor it is given. */
export const DEFAULT_LEAF_MONITOR = "http://127.0.0.1:8222";

/**
 * Opens the bus a lattice runs on; the binary supplies it. It returns at
 * once, working offline, and dials the link in the background.
 */
export type BusConnector = (link: LinkConfig, logger: Logger) => LinkedBus;

/** Reads the lattice flags; undefined with `--standalone`. */
export function parseLatticeFlags(
  flags: ParsedFlags,
): LatticeConfig | undefined {
  const { strings, lists } = flags;
  if (strings.nats !== undefined && strings.nats.trim() === "") {
    throw new UsageError("--nats is empty");
  }
  if (flags.booleans.has("standalone")) {
    const linkOnly = ["nats", "lattice", "creds", "nats-nkey", "tls-ca"]
      .concat(["tls-cert", "tls-key", "rpc-timeout", "heartbeat"])
      .concat(["leaf-monitor"])
      .filter((name) => strings[name] !== undefined);
    const stray = linkOnly[0] ??
      ((lists["trusted-host"] ?? []).length ? "trusted-host" : undefined);
    if (stray) throw new UsageError(`--${stray} conflicts with --standalone`);
    return undefined;
  }
  const connection = parseConnectionFlags(strings);
  if (Boolean(strings["tls-cert"]) !== Boolean(strings["tls-key"])) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  const trustedHosts = lists["trusted-host"] ?? [];
  for (const key of trustedHosts) {
    if (!isPublicKey(key, "server")) {
      throw new UsageError(`Invalid --trusted-host "${key}": not a server key`);
    }
  }
  checkLatticeName(strings.lattice);
  return {
    link: { ...connection, leafMonitor: leafMonitorOf(strings) },
    namespace: strings.lattice,
    rpcTimeoutMs: parseDuration(
      strings["rpc-timeout"] ?? "2s",
      "--rpc-timeout",
    ),
    trustedHosts,
    heartbeatMs: parseDuration(strings.heartbeat ?? "30s", "--heartbeat"),
  };
}

/**
 * Reads `--nats` (default {@link DEFAULT_NATS_URL}), `--creds` or
 * `--nats-nkey`, and the `--tls-*` files; `trellis ctl` connects with them
 * too.
 */
export function parseConnectionFlags(
  strings: Record<string, string>,
): ConnectionConfig {
  if (strings.creds && strings["nats-nkey"]) {
    throw new UsageError("Use --creds or --nats-nkey, not both");
  }
  const tls = strings["tls-ca"] || strings["tls-cert"]
    ? {
      caFile: strings["tls-ca"],
      certFile: strings["tls-cert"],
      keyFile: strings["tls-key"],
    }
    : undefined;
  return {
    servers: (strings.nats ?? DEFAULT_NATS_URL).split(",")
      .map((url) => url.trim()).filter((url) => url !== ""),
    credsFile: strings.creds,
    nkeySeedFile: strings["nats-nkey"],
    tls,
  };
}

/** Throws a {@link UsageError} unless `--lattice` names a valid lattice. */
export function checkLatticeName(name: string | undefined): void {
  try {
    new LatticeSubjects(name);
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
}

// `none` turns the probe off; a URL must be plain http(s).
function leafMonitorOf(strings: Record<string, string>): string | undefined {
  const given = strings["leaf-monitor"];
  if (given === "none") return undefined;
  if (given === undefined) {
    return strings.nats === undefined ? DEFAULT_LEAF_MONITOR : undefined;
  }
  const url = URL.canParse(given) ? new URL(given) : undefined;
  const extra = url && (url.search || url.hash || url.username);
  if (!url || extra || !["http:", "https:"].includes(url.protocol)) {
    throw new UsageError(
      `Invalid --leaf-monitor "${given}": expected http://HOST:PORT or none`,
    );
  }
  return given;
}

/** A host's live membership, and how to end it. */
export interface LatticeLink {
  bus: LinkedBus;
  lattice: Lattice;
  /** Leaves the lattice and closes the bus. */
  close(): Promise<void>;
}

/**
 * Joins `host` to the lattice `config` names, at once: the link comes up
 * in the background.
 */
export function joinLattice(
  host: Host,
  hostSeed: string,
  config: LatticeConfig,
  connect: BusConnector,
  logger: Logger,
): LatticeLink {
  const bus = connect(config.link, logger.child({ part: "link" }));
  const lattice = Lattice.join(host, {
    bus,
    signer: new InvocationSigner(hostSeed),
    namespace: config.namespace,
    rpcTimeoutMs: config.rpcTimeoutMs,
    trustedHosts: config.trustedHosts,
    heartbeatMs: config.heartbeatMs,
    logger: logger.child({ part: "lattice" }),
  });
  return {
    bus,
    lattice,
    async close() {
      lattice.leave();
      await bus.drain().catch(() => bus.close());
    },
  };
}
