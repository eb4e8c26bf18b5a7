/**
 * The control flags of `trellis up` (`--ctl-issuer KEY`, repeatable) and
 * how a host that joined the lattice starts taking commands with them.
 * The module store comes from a connector the binary passes in (`leaf/`
 * holds the NATS one), so `runtime/` never loads a NATS client.
 *
 * @module
 */
import type { LatticeConfig, LatticeLink } from "./cli_lattice.ts";
import { CONTROL_SIGNER_KINDS } from "./control_token.ts";
import { type ParsedFlags, UsageError } from "./flags.ts";
import type { Host } from "./host.ts";
import { startLatticeControl } from "./lattice_control.ts";
import type { Logger } from "./logger.ts";
import type { ModuleCache } from "./module_cache.ts";
import type { ModuleStoreConnector } from "./module_source.ts";
import { isPublicKey } from "./nkeys.ts";
import type { ProviderFactory } from "./provider.ts";

/** The flags `up` takes for control. */
export const CONTROL_FLAGS = { "ctl-issuer": "list" } as const;

/**
 * The keys `--ctl-issuer` names; a UsageError for one that is not an
 * account or operator public key, or when the host has no lattice.
 */
export function parseControlIssuers(
  flags: ParsedFlags,
  latticed: boolean,
): string[] {
  const issuers = flags.lists["ctl-issuer"] ?? [];
  if (issuers.length > 0 && !latticed) {
    throw new UsageError("--ctl-issuer needs the lattice, not --standalone");
  }
  for (const key of issuers) {
    if (!CONTROL_SIGNER_KINDS.some((kind) => isPublicKey(key, kind))) {
      throw new UsageError(
        `Invalid --ctl-issuer "${key}": not an account or operator key`,
      );
    }
  }
  return issuers;
}

/** What `up` gives its control interface. */
export interface UpControlOptions {
  host: Host;
  link: LatticeLink;
  config: LatticeConfig;
  issuers: readonly string[];
  dataDir: string;
  cache?: ModuleCache;
  /** The built-in providers `provider.launch` may start. */
  providers(capabilityId: string): ProviderFactory | undefined;
  /** Opens the module store; without it only file modules start. */
  moduleStore?: ModuleStoreConnector;
  logger: Logger;
}

/** A host's control interface as `up` runs it. */
export interface UpControl {
  /** Resolves with `"control"` once a `host.stop` command arrives. */
  stopped: Promise<string>;
  /** Stops taking commands and closes the module store. */
  close(): Promise<void>;
}

/** Starts taking control commands on the lattice `link` joined. */
export function startUpControl(options: UpControlOptions): UpControl {
  const { config, logger } = options;
  const store = options.moduleStore?.(
    config.link,
    config.namespace,
    logger.child({ part: "modules" }),
  );
  let stop!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => stop = resolve);
  const control = startLatticeControl({
    host: options.host,
    lattice: options.link.lattice,
    issuers: options.issuers,
    dataDir: options.dataDir,
    cache: options.cache,
    store,
    providers: options.providers,
    stopHost: () => stop("control"),
    logger: logger.child({ part: "control" }),
  });
  return {
    stopped,
    async close() {
      await control.close();
      await store?.close();
    },
  };
}
