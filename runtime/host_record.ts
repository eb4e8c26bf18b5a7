/**
 * Keeps `state.json` in step with what a host runs: every change the host
 * reports (actors started, scaled, updated or stopped, providers, bindings,
 * whether made by a manifest, a reload or a remote command) is written to
 * the data directory before long, one write at a time, the latest state
 * winning.
 *
 * @module
 */
import type { Host } from "./host.ts";
import {
  type HostState,
  type RecordedManifest,
  type RecordedProvider,
  STATE_SCHEMA,
  writeHostState,
} from "./host_state.ts";
import { type Logger, silentLogger } from "./logger.ts";
import {
  type AppliedManifest,
  type AppliedProvider,
  queueLimitField,
} from "./manifest_state.ts";
import { messageOf } from "./wapc_instance.ts";

/** Options of {@link HostRecorder}. */
export interface HostRecorderOptions {
  host: Host;
  dataDir: string;
  /** The trellis version, written into the file for people. */
  writer: string;
  /** Capabilities the host binds by itself (extras): not recorded. */
  automatic?: readonly string[];
  /** The manifest record to keep until a manifest is applied. */
  manifest?: RecordedManifest;
  logger?: Logger;
}

/** Writes a host's state to its data directory whenever it changes. */
export class HostRecorder {
  readonly #options: HostRecorderOptions;
  readonly #logger: Logger;
  readonly #automatic: Set<string>;
  #manifest?: RecordedManifest;
  #off?: () => void;
  #writing?: Promise<void>;
  #dirty = false;

  constructor(options: HostRecorderOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#automatic = new Set(options.automatic ?? []);
    this.#manifest = options.manifest;
  }

  /** Follows the host's events from now on and writes the state once. */
  start(): Promise<void> {
    this.#off ??= this.#options.host.events.on((event) => {
      // Nothing runs yet when an actor is starting: nothing to record.
      if (event.type !== "link_changed" && event.type !== "actor_starting") {
        this.record();
      }
    });
    return this.record();
  }

  /** Records what a manifest (with text digest `digest`) made the host run. */
  setManifest(applied: AppliedManifest, digest: string): Promise<void> {
    this.#manifest = recordManifest(applied, digest);
    return this.record();
  }

  /** The state as it would be written now. */
  snapshot(): HostState {
    const { host, writer } = this.#options;
    const recorded = (capabilityId: string) =>
      !this.#automatic.has(capabilityId);
    return {
      schema: STATE_SCHEMA,
      writer,
      actors: host.actors().map((claims) => ({
        key: claims.subject,
        ...(claims.name ? { name: claims.name } : {}),
        hash: claims.hash,
        instances: host.actor(claims.subject)?.instances ?? 1,
        ...queueLimitField(host.queueLimitOf(claims.subject)),
      })),
      providers: host.providers()
        .filter((provider) => recorded(provider.capabilityId))
        .map((provider) => ({
          capabilityId: provider.capabilityId,
          binding: provider.binding,
          ...(provider.path ? { path: provider.path } : {}),
        })),
      bindings: host.bindings()
        .filter((binding) => recorded(binding.capabilityId))
        .map((binding) => ({
          actor: binding.actor,
          capabilityId: binding.capabilityId,
          binding: binding.binding,
          values: userValues(binding.values),
        })),
      ...(this.#manifest ? { manifest: this.#manifest } : {}),
    };
  }

  /**
   * Writes the current state; resolves once a write that started after
   * this call is done. A failed write is logged and tried again at the
   * next change.
   */
  record(): Promise<void> {
    this.#dirty = true;
    this.#writing ??= this.#drain().finally(() => this.#writing = undefined);
    return this.#writing;
  }

  /** Stops following the host, after the pending write. */
  async close(): Promise<void> {
    this.#off?.();
    this.#off = undefined;
    await this.#writing;
  }

  async #drain(): Promise<void> {
    while (this.#dirty) {
      this.#dirty = false;
      try {
        await writeHostState(this.#options.dataDir, this.snapshot());
      } catch (error) {
        this.#logger.error("cannot record host state", {
          error: messageOf(error),
        });
        return;
      }
    }
  }
}

/** An applied manifest record as JSON holds it. */
export function recordManifest(
  applied: AppliedManifest,
  digest: string,
): RecordedManifest {
  const providers = (map: Map<string, AppliedProvider>) =>
    [...map].map(([key, provider]) => ({
      key,
      provider: recordProvider(provider),
    }));
  return {
    path: applied.path,
    digest,
    labels: applied.labels,
    actors: [...applied.actors.values()],
    capabilities: providers(applied.capabilities),
    implicit: providers(applied.implicit),
    bindings: [...applied.bindings.values()],
  };
}

function recordProvider(provider: AppliedProvider): RecordedProvider {
  return {
    capabilityId: provider.capabilityId,
    binding: provider.binding,
    ...(provider.factory.path ? { path: provider.factory.path } : {}),
  };
}

/**
 * A binding's values without the `__wascc_*` ones, which the host adds
 * itself at every bind.
 */
export function userValues(
  values: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter(([key]) => !key.startsWith("__wascc_")),
  );
}
