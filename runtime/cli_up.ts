/**
 * `trellis up`: runs a host, optionally starting what a manifest lists,
 * until SIGINT or SIGTERM. SIGHUP, and with `--watch` a change of the
 * file, reloads the manifest and applies what changed. The ready line goes
 * to standard output, logs to standard error.
 *
 * @module
 */
import { join } from "node:path";
import { builtinProviders } from "../providers/builtin.ts";
import { extrasProvider } from "../providers/extras.ts";
import { createMessagingProvider } from "../providers/messaging.ts";
import type { Bus } from "./bus.ts";
import {
  type AdminServer,
  checkNoOtherHost,
  startAdminServer,
} from "./admin_server.ts";
import { type CliIo, EXIT_FAILURE, EXIT_OK } from "./cli_io.ts";
import {
  CONTROL_FLAGS,
  parseControlIssuers,
  startUpControl,
} from "./cli_control.ts";
import {
  type BusConnector,
  joinLattice,
  LATTICE_FLAGS,
  type LatticeLink,
  parseLatticeFlags,
} from "./cli_lattice.ts";
import {
  parseBytes,
  parseCount,
  parseDuration,
  parseFlags,
  parsePairs,
  UsageError,
} from "./flags.ts";
import { Host } from "./host.ts";
import { loadHostKey } from "./host_key.ts";
import { HostRecorder } from "./host_record.ts";
import { readHostState } from "./host_state.ts";
import { bringUp } from "./host_startup.ts";
import type { ProviderCatalog } from "./manifest_apply.ts";
import { ModuleCache } from "./module_cache.ts";
import type { ModuleStoreConnector } from "./module_source.ts";
import { loadManifest } from "./manifest.ts";
import { writeExample } from "./examples.ts";
import { parseUpstreamFlags, UPSTREAM_FLAGS } from "./cli_upstream.ts";
import type { Upstream, UpstreamOpener } from "./upstream.ts";
import { LoopbackBus } from "./loopback_bus.ts";
import { ManifestReloader } from "./manifest_reloader.ts";
import type { AppliedManifest } from "./manifest_state.ts";
import { type ManifestWatch, watchManifest } from "./manifest_watch.ts";
import { isPublicKey } from "./nkeys.ts";
import { SystemdNotifier } from "./systemd_notify.ts";
import { messageOf } from "./wapc_instance.ts";
import { adminAddress, buildLogger, linkSection } from "./up_parts.ts";
import { listenForSignals, ReloadRequests } from "./up_signals.ts";

const UP_FLAGS = {
  manifest: "string",
  "data-dir": "string",
  label: "list",
  "allow-issuer": "list",
  deadline: "string",
  "max-memory": "string",
  "queue-limit": "string",
  "log-level": "string",
  "log-format": "string",
  watch: "boolean",
  admin: "string",
  example: "string",
  ...LATTICE_FLAGS,
  ...CONTROL_FLAGS,
  ...UPSTREAM_FLAGS,
} as const;

/** What the binary gives `up` that `runtime/` may not load itself. */
export interface UpOptions {
  /** Opens the lattice's bus (NATS); without it the host is standalone. */
  connect?: BusConnector;
  /** Opens the lattice's module store, for control commands. */
  moduleStore?: ModuleStoreConnector;
  /** Opens the outbox of subjects marked upstream (`--upstream`). */
  openUpstream?: UpstreamOpener;
  /** The version written into the state file (default `trellis`). */
  version?: string;
}

// Built-in providers, with messaging on the host's bus.
function providerCatalog(bus: Bus, upstream?: Upstream): ProviderCatalog {
  const messaging = createMessagingProvider(bus, { upstream });
  return {
    builtin: (id) =>
      id === messaging.capabilityId ? messaging : builtinProviders.get(id),
  };
}

/** Where `up` keeps its state without `--data-dir`. */
export function defaultDataDir(): string {
  const base = Deno.env.get("XDG_DATA_HOME") ??
    join(Deno.env.get("HOME") ?? ".", ".local", "share");
  return join(base, "trellis");
}

/** Runs `trellis up`; `args` follow the word `up`. */
export async function runUp(
  args: string[],
  io: CliIo,
  options: UpOptions = {},
): Promise<number> {
  const flags = parseFlags(args, UP_FLAGS);
  if (flags.positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${flags.positionals[0]}"`);
  }
  const logger = buildLogger(flags.strings, io);
  const labels = parsePairs(flags.lists.label, "--label");
  const deadlineMs = parseDuration(
    flags.strings.deadline ?? "10s",
    "--deadline",
  );
  const maxMemoryBytes = parseBytes(
    flags.strings["max-memory"] ?? "64MiB",
    "--max-memory",
  );
  const queueLimit = parseCount(
    flags.strings["queue-limit"] ?? "1000",
    "--queue-limit",
  );
  const dataDir = flags.strings["data-dir"] ?? defaultDataDir();
  const example = flags.strings.example;
  if (example !== undefined && flags.strings.manifest !== undefined) {
    throw new UsageError("Use --manifest or --example, not both");
  }
  const manifestPath = example === undefined
    ? flags.strings.manifest
    : await writeExample(example, join(dataDir, "examples", example));
  const watch = flags.booleans.has("watch");
  if (watch && !manifestPath) {
    throw new UsageError(`Flag "--watch" needs "--manifest"`);
  }
  const latticeConfig = options.connect ? parseLatticeFlags(flags) : undefined;
  const ctlIssuers = parseControlIssuers(flags, latticeConfig !== undefined);
  const adminTcp = adminAddress(flags.strings.admin);
  const upstreamConfig = parseUpstreamFlags(flags);
  const openUpstream = options.openUpstream;
  if (upstreamConfig && !openUpstream) {
    throw new UsageError("--upstream needs a build with an outbox");
  }
  const manifest = manifestPath ? await readManifest(manifestPath) : undefined;

  const allowedIssuers = flags.lists["allow-issuer"] ?? [];
  for (const key of allowedIssuers) {
    if (!isPublicKey(key, "account")) {
      throw new UsageError(
        `Invalid --allow-issuer "${key}": not an account key (A…)`,
      );
    }
  }
  await checkNoOtherHost(dataDir);
  const hostKey = await loadHostKey(dataDir);
  const state = await readHostState(dataDir);
  const cache = new ModuleCache(dataDir);
  const host = new Host({
    moduleCache: cache,
    id: hostKey.publicKey,
    dataDir,
    logger,
    deadlineMs,
    maxMemoryBytes,
    queueLimit,
    allowedIssuers,
    labels: { ...manifest?.labels, ...labels },
    autoProviders: [extrasProvider],
  });
  host.events.on((event) =>
    logger.info(event.type.replaceAll("_", " "), event)
  );

  // The lattice is joined before anything starts, so that what the
  // manifest starts is announced; the link itself comes up in the
  // background, and the host serves locally meanwhile.
  let link: LatticeLink | undefined;
  if (latticeConfig && options.connect) {
    link = joinLattice(
      host,
      hostKey.seed,
      latticeConfig,
      options.connect,
      logger,
    );
    link.bus.onUpstream?.((event) =>
      logger.info("upstream changed", { ...event })
    );
  }
  const upstream = upstreamConfig && openUpstream
    ? openUpstream(upstreamConfig, { dataDir, link: link?.bus, logger })
    : undefined;
  const catalog = providerCatalog(
    link?.bus ?? new LoopbackBus({ logger: logger.child({ part: "bus" }) }),
    upstream,
  );

  // Reload requests are taken from the start, so that one arriving while
  // the manifest is first applied is not lost: it runs once ready.
  const verify = {
    allowedIssuers: allowedIssuers.length > 0 ? allowedIssuers : undefined,
  };
  const recorder = new HostRecorder({
    host,
    dataDir,
    writer: options.version ?? "trellis",
    automatic: [extrasProvider.capabilityId],
    manifest: state?.manifest,
    logger,
  });
  const reloads = new ReloadRequests();
  const signals = listenForSignals(() => reloads.request());
  let watching: ManifestWatch | undefined;
  let applied: AppliedManifest | undefined;
  let admin: AdminServer | undefined;
  try {
    if (watch) {
      watching = watchManifest(manifestPath!, () => reloads.request());
    }
    applied = await bringUp(host, {
      state,
      manifest,
      catalog,
      cache,
      verify,
      recorder,
      logger,
    });
    await recorder.start();
    admin = await startAdminServer({
      host,
      dataDir,
      version: options.version ?? "trellis",
      tcp: adminTcp,
      sections: {
        link: link ? linkSection(link) : () => null,
        ...(upstream ? { outbox: () => upstream.status() } : {}),
      },
      logger: logger.child({ part: "admin" }),
    });
  } catch (error) {
    signals.close();
    watching?.close();
    await recorder.close();
    await admin?.close();
    // Stop first so that the reason is the last line a reader sees.
    await host.stop().catch(() => {});
    await link?.close().catch(() => {});
    io.err(messageOf(error));
    return EXIT_FAILURE;
  }

  const reloader = applied && new ManifestReloader({
    host,
    applied,
    catalog,
    verify,
    onReloaded: (next, read) =>
      void recorder.setManifest(next, read.digest ?? ""),
    path: manifestPath,
    logger,
  });
  reloads.connect(() => {
    if (reloader) reloader.request();
    else logger.warn("nothing to reload: no --manifest");
  });
  const control = link && latticeConfig && startUpControl({
    host,
    link,
    config: latticeConfig,
    issuers: ctlIssuers,
    dataDir,
    cache,
    providers: catalog.builtin,
    moduleStore: options.moduleStore,
    logger,
  });
  io.out(
    `trellis ready host=${host.id} actors=${host.actors().length} ` +
      `bindings=${host.bindings().length} ` +
      `link=${link ? link.bus.state : "standalone"}`,
  );
  const systemd = SystemdNotifier.fromEnv({
    env: Deno.env.toObject(),
    logger,
  });
  await systemd?.ready(`serving ${host.actors().length} actors`);

  const signal =
    await (control
      ? Promise.race([signals.stopped, control.stopped])
      : signals.stopped);
  logger.info("stopping", { signal });
  admin.stopping();
  await systemd?.stopping();
  signals.close();
  watching?.close();
  await reloader?.close();
  await control?.close();
  // What stops now is stopped by the shutdown, not by anyone's wish: the
  // state keeps it, to come back at the next start.
  await recorder.close();
  await host.stop();
  await upstream?.close();
  await link?.close().catch(() => {});
  await admin.close();
  return EXIT_OK;
}

// A manifest's own problems already name it; a file that cannot be read
// gets the same prefix.
async function readManifest(path: string) {
  try {
    return await loadManifest(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot read manifest "${path}": no such file`, {
        cause: error,
      });
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new Error(`Cannot read manifest "${path}": permission denied`, {
        cause: error,
      });
    }
    throw error;
  }
}
