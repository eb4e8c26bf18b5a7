/**
 * The steps of one reload, in the order that keeps a host serving: old
 * bindings go first, then old actors and providers; new providers come
 * before updated and new actors, and new bindings last.
 *
 * @module
 */
import type { Host } from "./host.ts";
import type { ManifestBinding } from "./manifest.ts";
import type { ProviderCatalog } from "./manifest_apply.ts";
import type { ManifestDiff } from "./manifest_diff.ts";
import type {
  ReloadFailure,
  ReloadResult,
  ReloadSummary,
} from "./manifest_reload.ts";
import type { ResolvedManifest } from "./manifest_resolve.ts";
import {
  type AppliedManifest,
  bindingKey,
  copyAppliedManifest,
  providerKey,
  queueLimitField,
} from "./manifest_state.ts";
import { messageOf } from "./wapc_instance.ts";

/** One reload in progress: the host, the record it keeps, what failed. */
export class ReloadRun {
  readonly #host: Host;
  readonly #next: ResolvedManifest;
  readonly #catalog: ProviderCatalog;
  readonly #state: AppliedManifest;
  readonly #failures: ReloadFailure[] = [];
  readonly #summary: ReloadSummary = {
    actorsStarted: 0,
    actorsStopped: 0,
    actorsUpdated: 0,
    actorsScaled: 0,
    actorsRequeued: 0,
    providersStarted: 0,
    providersStopped: 0,
    bindingsAdded: 0,
    bindingsRemoved: 0,
    bindingsChanged: 0,
    labelsChanged: false,
    failed: 0,
  };

  /** A run that changes `host` from `applied` towards `next`. */
  constructor(
    host: Host,
    applied: AppliedManifest,
    next: ResolvedManifest,
    catalog: ProviderCatalog,
  ) {
    this.#host = host;
    this.#next = next;
    this.#catalog = catalog;
    this.#state = copyAppliedManifest(applied);
    this.#state.path = next.manifest.path;
  }

  /** Removes the bindings that are gone or whose values changed. */
  async unbind(diff: ManifestDiff): Promise<void> {
    const changed = new Set(diff.changeBindings.map(bindingKey));
    const gone = [
      ...diff.removeBindings,
      ...diff.changeBindings.map((binding) =>
        this.#state.bindings.get(bindingKey(binding))!
      ),
    ];
    for (const binding of gone) {
      const key = bindingKey(binding);
      const line = changed.has(key) ? this.#lineOf(key) : undefined;
      const done = await this.#attempt(
        line,
        () =>
          this.#host.unbind(binding.actor, binding.capability, binding.binding),
      );
      if (!done) continue;
      this.#state.bindings.delete(key);
      if (!changed.has(key)) this.#summary.bindingsRemoved++;
    }
  }

  /** Stops the actors whose identity is gone. */
  async stopActors(diff: ManifestDiff): Promise<void> {
    for (const actor of diff.stopActors) {
      const done = await this.#attempt(
        undefined,
        () => this.#host.stopActor(actor.key),
      );
      if (!done) continue;
      this.#state.actors.delete(actor.key);
      this.#forgetBindings((binding) => binding.actor === actor.key);
      this.#summary.actorsStopped++;
    }
  }

  /** Stops the providers nothing asks for any more. */
  async stopProviders(diff: ManifestDiff): Promise<void> {
    for (const { capabilityId, binding } of diff.stopProviders) {
      if (this.#host.hasProvider(capabilityId, binding)) {
        const done = await this.#attempt(
          undefined,
          () => this.#host.stopProvider(capabilityId, binding),
        );
        if (!done) continue;
        this.#summary.providersStopped++;
      }
      this.#forgetProvider(providerKey(capabilityId, binding));
    }
    // An entry gone from `capabilities` whose provider a binding still
    // uses keeps running, as if only that binding had started it.
    const listed = new Set(this.#next.capabilities.map(({ key }) => key));
    for (const [entry, provider] of this.#state.capabilities) {
      if (listed.has(entry)) continue;
      this.#state.capabilities.delete(entry);
      const key = providerKey(provider.capabilityId, provider.binding);
      this.#state.implicit.set(key, provider);
    }
  }

  /** Starts the providers of new capability entries. */
  async startProviders(diff: ManifestDiff): Promise<void> {
    for (const capability of diff.startProviders) {
      const { capabilityId, factory, entry } = capability;
      if (!this.#host.hasProvider(capabilityId, entry.binding)) {
        const done = await this.#attempt(
          entry.line,
          () => this.#host.startProvider(factory, entry.binding),
        );
        if (!done) continue;
        this.#summary.providersStarted++;
      }
      this.#state.implicit.delete(providerKey(capabilityId, entry.binding));
      this.#state.capabilities.set(capability.key, {
        capabilityId,
        binding: entry.binding,
        factory,
      });
    }
  }

  /** Updates actors to their new modules, then scales them. */
  async updateActors(diff: ManifestDiff): Promise<void> {
    for (const actor of diff.unchangedActors) {
      const applied = this.#state.actors.get(actor.key)!;
      this.#state.actors.set(actor.key, { ...applied, path: actor.entry.path });
    }
    for (const { entry, key, bytes } of diff.updateActors) {
      const updated = await this.#attempt(
        entry.line,
        () =>
          this.#host.updateActor(bytes, {
            force: entry.force,
            source: entry.path,
          }),
      );
      if (!updated) continue;
      const applied = this.#state.actors.get(key)!;
      this.#state.actors.set(key, {
        ...applied,
        name: updated.value.name,
        path: entry.path,
        hash: updated.value.hash,
      });
      this.#summary.actorsUpdated++;
    }
    for (const { entry, key } of diff.scaleActors) {
      const done = await this.#attempt(
        entry.line,
        () => this.#host.scaleActor(key, entry.instances),
      );
      if (!done) continue;
      const applied = this.#state.actors.get(key)!;
      this.#state.actors.set(key, { ...applied, instances: entry.instances });
      this.#summary.actorsScaled++;
    }
    for (const { entry, key } of diff.requeueActors) {
      const done = await this.#attempt(
        entry.line,
        () => this.#host.setQueueLimit(key, entry.queueLimit),
      );
      if (!done) continue;
      const { queueLimit: _, ...applied } = this.#state.actors.get(key)!;
      this.#state.actors.set(key, {
        ...applied,
        ...queueLimitField(entry.queueLimit),
      });
      this.#summary.actorsRequeued++;
    }
  }

  /** Starts the actors whose identity is new. */
  async startActors(diff: ManifestDiff): Promise<void> {
    for (const { entry, bytes } of diff.startActors) {
      const started = await this.#attempt(
        entry.line,
        () =>
          this.#host.startActor(bytes, {
            instances: entry.instances,
            queueLimit: entry.queueLimit,
            source: entry.path,
          }),
      );
      if (!started) continue;
      const claims = started.value;
      this.#state.actors.set(claims.subject, {
        key: claims.subject,
        name: claims.name,
        path: entry.path,
        hash: claims.hash,
        instances: entry.instances,
        ...queueLimitField(entry.queueLimit),
      });
      this.#summary.actorsStarted++;
    }
  }

  /** Binds new bindings and binds changed ones again. */
  async bind(diff: ManifestDiff): Promise<void> {
    const added = new Set(diff.addBindings);
    for (const binding of [...diff.addBindings, ...diff.changeBindings]) {
      const done = await this.#attempt(binding.line, async () => {
        await this.#ensureProvider(binding);
        await this.#host.bind(
          binding.actor,
          binding.capability,
          binding.binding,
          binding.values,
        );
      });
      if (!done) continue;
      this.#state.bindings.set(bindingKey(binding), binding);
      if (added.has(binding)) this.#summary.bindingsAdded++;
      else this.#summary.bindingsChanged++;
    }
  }

  /** What the run applied and what failed. */
  result(diff: ManifestDiff): ReloadResult {
    this.#summary.labelsChanged = diff.labelsChanged;
    this.#summary.failed = this.#failures.length;
    return {
      applied: this.#state,
      summary: { ...this.#summary },
      failures: [...this.#failures],
    };
  }

  // A binding to a provider no capability entry lists starts it, as
  // `applyManifest` does.
  async #ensureProvider(binding: ManifestBinding): Promise<void> {
    const { capability, binding: name } = binding;
    if (this.#host.hasProvider(capability, name)) return;
    const factory = this.#next.capabilities
      .find((entry) => entry.capabilityId === capability)?.factory ??
      this.#catalog.builtin(capability);
    if (!factory) {
      throw new Error(
        `Cannot bind actor "${binding.actor}" to "${capability}": ` +
          "no provider with that id is loaded",
      );
    }
    await this.#host.startProvider(factory, name);
    this.#state.implicit.set(providerKey(capability, name), {
      capabilityId: capability,
      binding: name,
      factory,
    });
    this.#summary.providersStarted++;
  }

  #lineOf(key: string): number | undefined {
    return this.#next.manifest.bindings
      .find((binding) => bindingKey(binding) === key)?.line;
  }

  #forgetProvider(key: string): void {
    this.#state.implicit.delete(key);
    for (const [entry, provider] of this.#state.capabilities) {
      if (providerKey(provider.capabilityId, provider.binding) === key) {
        this.#state.capabilities.delete(entry);
      }
    }
    this.#forgetBindings((binding) =>
      providerKey(binding.capability, binding.binding) === key
    );
  }

  #forgetBindings(gone: (binding: ManifestBinding) => boolean): void {
    for (const [key, binding] of this.#state.bindings) {
      if (gone(binding)) this.#state.bindings.delete(key);
    }
  }

  // Runs one change; a failure is recorded and the reload goes on.
  async #attempt<T>(
    line: number | undefined,
    change: () => T | Promise<T>,
  ): Promise<{ value: T } | undefined> {
    try {
      return { value: await change() };
    } catch (error) {
      this.#failures.push({
        line,
        error: error instanceof Error ? error : new Error(messageOf(error)),
      });
      return undefined;
    }
  }
}
