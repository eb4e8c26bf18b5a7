/**
 * The lattice flags of `trellis up` and how the host joins with them. The
 * bus itself comes from a connector the binary passes in (`leaf/` holds
 * the NATS one), so `runtime/` never loads a NATS client.
 *
 * A host joins by default: with no `--nats` it dials the conventional
 * local server, where a device's leaf node listens, and runs on its own
 * until that answers. `--standalone` keeps it on the loopback bus.
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

/** The flags `up` takes for the lattice. */
export const LATTICE_FLAGS = {
  standalone: "boolean",
  nats: "string",
  lattice: "string",
  creds: "string",
  "nats-nkey": "string",
  "tls-ca": "string",
  "tls-cert": "string",
  "tls-key": "string",
  "rpc-timeout": "string",
  "trusted-host": "list",
  heartbeat: "string",
} as const;

/** Where and how to reach the lattice's NATS servers. */
export interface LinkConfig {
  /** Server URLs, tried in turn. */
  servers: string[];
  /** A `.creds` file (user JWT and seed). */
  credsFile?: string;
  /** A file with a user nkey seed. */
  nkeySeedFile?: string;
  /** TLS files. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
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
  const servers = (strings.nats ?? DEFAULT_NATS_URL).split(",")
    .map((url) => url.trim()).filter((url) => url !== "");
  if (flags.booleans.has("standalone")) {
    const linkOnly = ["nats", "lattice", "creds", "nats-nkey", "tls-ca"]
      .concat(["tls-cert", "tls-key", "rpc-timeout", "heartbeat"])
      .filter((name) => strings[name] !== undefined);
    const stray = linkOnly[0] ??
      ((lists["trusted-host"] ?? []).length ? "trusted-host" : undefined);
    if (stray) throw new UsageError(`--${stray} conflicts with --standalone`);
    return undefined;
  }
  if (strings.creds && strings["nats-nkey"]) {
    throw new UsageError("Use --creds or --nats-nkey, not both");
  }
  if (Boolean(strings["tls-cert"]) !== Boolean(strings["tls-key"])) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  const trustedHosts = lists["trusted-host"] ?? [];
  for (const key of trustedHosts) {
    if (!isPublicKey(key, "server")) {
      throw new UsageError(`Invalid --trusted-host "${key}": not a server key`);
    }
  }
  try {
    new LatticeSubjects(strings.lattice);
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
  const tls = strings["tls-ca"] || strings["tls-cert"]
    ? {
      caFile: strings["tls-ca"],
      certFile: strings["tls-cert"],
      keyFile: strings["tls-key"],
    }
    : undefined;
  return {
    link: {
      servers,
      credsFile: strings.creds,
      nkeySeedFile: strings["nats-nkey"],
      tls,
    },
    namespace: strings.lattice,
    rpcTimeoutMs: parseDuration(
      strings["rpc-timeout"] ?? "2s",
      "--rpc-timeout",
    ),
    trustedHosts,
    heartbeatMs: parseDuration(strings.heartbeat ?? "30s", "--heartbeat"),
  };
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
