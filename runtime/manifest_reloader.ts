/**
 * Reloads a host's manifest on request, one reload at a time: a request
 * while a reload runs queues one more, and further requests join that one.
 * Reports each reload in the log: its changes, or why it changed nothing.
 *
 * @module
 */
import type { VerifyOptions } from "./claims.ts";
import type { Host } from "./host.ts";
import type { Logger } from "./logger.ts";
import { silentLogger } from "./logger.ts";
import { loadManifest, type Manifest } from "./manifest.ts";
import type { ProviderCatalog } from "./manifest_apply.ts";
import { reloadManifest, type ReloadResult } from "./manifest_reload.ts";
import type { AppliedManifest } from "./manifest_state.ts";
import { messageOf } from "./wapc_instance.ts";

/** What a reloader works on. */
export interface ManifestReloaderOptions {
  host: Host;
  /** What the host runs for the manifest now, from `startManifest`. */
  applied: AppliedManifest;
  catalog: ProviderCatalog;
  /** How actor modules are verified; give the host's allowed issuers. */
  verify?: VerifyOptions;
  /** Told of each reload that applied, with the manifest it read. */
  onReloaded?: (applied: AppliedManifest, manifest: Manifest) => void;
  /** The manifest file as the user named it (default: `applied.path`). */
  path?: string;
  /** Where reloads are reported (default: nowhere). */
  logger?: Logger;
  /** Reads the manifest (default: `loadManifest`). */
  load?: (path: string) => Promise<Manifest>;
}

/** Serialized reloads of one manifest on one host. */
export class ManifestReloader {
  readonly #options: ManifestReloaderOptions;
  readonly #path: string;
  readonly #logger: Logger;
  #applied: AppliedManifest;
  #running?: Promise<void>;
  #queued?: Promise<void>;
  #closed = false;

  /** A reloader; nothing is read until the first request. */
  constructor(options: ManifestReloaderOptions) {
    this.#options = options;
    this.#path = options.path ?? options.applied.path;
    this.#logger = options.logger ?? silentLogger;
    this.#applied = options.applied;
  }

  /** What the host runs for the manifest after the last reload. */
  get applied(): AppliedManifest {
    return this.#applied;
  }

  /**
   * Reloads the manifest, after the running reload if there is one.
   * Resolves when a reload that read the file after this call is done;
   * never rejects (failures are logged).
   */
  request(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#queued) return this.#queued;
    if (!this.#running) return this.#start();
    const queued = this.#running.then(() => {
      this.#queued = undefined;
      return this.#closed ? undefined : this.#start();
    });
    this.#queued = queued;
    return queued;
  }

  /** Takes no more requests and waits for the running reload. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queued;
    await this.#running;
  }

  #start(): Promise<void> {
    const run = this.#reload().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #reload(): Promise<void> {
    const started = performance.now();
    const load = this.#options.load ?? loadManifest;
    let result: ReloadResult;
    let manifest: Manifest;
    try {
      manifest = await load(this.#path);
      result = await reloadManifest(
        this.#options.host,
        this.#applied,
        manifest,
        this.#options,
      );
    } catch (error) {
      this.#logger.error("manifest reload failed", {
        manifest: this.#path,
        error: oneLine(messageOf(error)),
      });
      return;
    }
    this.#applied = result.applied;
    this.#options.onReloaded?.(result.applied, manifest);
    this.#report(result, Math.round(performance.now() - started));
  }

  #report(result: ReloadResult, ms: number): void {
    for (const failure of result.failures) {
      this.#logger.error("manifest change failed", {
        manifest: this.#path,
        ...(failure.line === undefined ? {} : { line: failure.line }),
        error: oneLine(failure.error.message),
      });
    }
    if (result.summary.labelsChanged) {
      this.#logger.warn("manifest labels changed, kept until restart", {
        manifest: this.#path,
      });
    }
    this.#logger.info("manifest reloaded", {
      manifest: this.#path,
      ...result.summary,
      ms,
    });
  }
}

// A manifest error has a line per issue; a log line holds them all.
function oneLine(message: string): string {
  return message.split("\n").join("; ");
}
