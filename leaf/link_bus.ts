/**
 * The bus a host runs on, online or not: an in-process loopback bus that
 * always works, joined to NATS whenever a connection can be had. A device
 * in airplane mode is ready at once on the loopback bus; the link is dialled
 * in the background with a capped, jittered backoff, and once it is up
 * every subscription is also made on NATS and messages go out through it.
 *
 * Each message travels on exactly one bus (NATS while connected, loopback
 * otherwise), and local subscribers listen on both, so nothing arrives
 * twice.
 *
 * @module
 */
import {
  type Bus,
  type BusMessage,
  type MessageHandler,
  type PublishOptions,
  type RequestOptions,
  type SubscribeOptions,
  type Subscription,
} from "../runtime/bus.ts";
import type {
  LinkedBus,
  LinkEvent,
  LinkState,
  UpstreamEvent,
  UpstreamState,
} from "../runtime/link.ts";
import { LoopbackBus } from "../runtime/loopback_bus.ts";
import { type Logger, silentLogger } from "../runtime/logger.ts";
import { messageOf } from "../runtime/wapc_instance.ts";
import type { NatsBus } from "./nats_bus.ts";
import { LinkSubscription } from "./link_subscription.ts";
import { LinkUpstream } from "./link_upstream.ts";
import type { UpstreamProbe } from "./upstream_probe.ts";

export type { LinkEvent, LinkState };

/** Options of {@link LinkBus}. */
export interface LinkBusOptions {
  /** Opens a NATS bus; rejects while no server can be reached. */
  connect(): Promise<NatsBus>;
  /** First wait between attempts in ms (default 500). */
  initialDelayMs?: number;
  /** Longest wait between attempts in ms (default 5000). */
  maxDelayMs?: number;
  /**
   * Tells whether the cloud beyond the server is reachable (a leaf
   * node's link to its hub); the bus closes it. Without one, the
   * upstream is the link.
   */
  probe?: UpstreamProbe;
  logger?: Logger;
}

/** A bus that works offline and joins NATS when it can. */
export class LinkBus implements LinkedBus {
  readonly #local: LoopbackBus;
  readonly #options: Required<Omit<LinkBusOptions, "logger" | "probe">>;
  readonly #logger: Logger;
  readonly #subscriptions = new Set<LinkSubscription>();
  readonly #listeners = new Set<(event: LinkEvent) => void>();
  readonly #upstream: LinkUpstream;
  #remote?: NatsBus;
  #state: LinkState = "down";
  #closed = false;
  #timer?: ReturnType<typeof setTimeout>;
  #attempts = 0;

  /** A link bus that starts dialling at once. */
  constructor(options: LinkBusOptions) {
    this.#logger = options.logger ?? silentLogger;
    this.#local = new LoopbackBus({ logger: this.#logger });
    this.#upstream = new LinkUpstream(options.probe);
    this.#options = {
      connect: options.connect,
      initialDelayMs: options.initialDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 5000,
    };
    void this.#dial();
  }

  /** `up` while connected to a NATS server. */
  get state(): LinkState {
    return this.#state;
  }

  /** Whether the cloud is reachable: see {@link LinkBusOptions.probe}. */
  get upstream(): UpstreamState {
    return this.#upstream.state;
  }

  /** The last change of the upstream, with its server or reason. */
  get upstreamEvent(): UpstreamEvent {
    return this.#upstream.event;
  }

  /** Adds a listener of upstream changes; returns its remover. */
  onUpstream(listener: (event: UpstreamEvent) => void): () => void {
    return this.#upstream.on(listener);
  }

  /** The NATS bus, while one is connected. */
  get remote(): NatsBus | undefined {
    return this.#state === "up" ? this.#remote : undefined;
  }

  /** Adds a listener of link changes; returns its remover. */
  onLink(listener: (event: LinkEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get maxPayload(): number {
    const remote = this.remote;
    return remote
      ? Math.min(remote.maxPayload, this.#local.maxPayload)
      : this.#local.maxPayload;
  }

  publish(subject: string, payload: Uint8Array, options?: PublishOptions) {
    this.#current().publish(subject, payload, options);
  }

  subscribe(
    subject: string,
    handler: MessageHandler,
    options: SubscribeOptions = {},
  ): Subscription {
    const subscription = new LinkSubscription(
      this.#local,
      subject,
      handler,
      options,
      (ended) => this.#subscriptions.delete(ended),
    );
    this.#subscriptions.add(subscription);
    if (this.#remote) subscription.attach(this.#remote);
    return subscription;
  }

  request(
    subject: string,
    payload: Uint8Array,
    options: RequestOptions,
  ): Promise<BusMessage> {
    return this.#current().request(subject, payload, options);
  }

  async drain(): Promise<void> {
    this.#stopDialling();
    await Promise.all([...this.#subscriptions].map((sub) => sub.drain()));
    await this.#remote?.drain().catch(() => {});
    await this.#local.drain();
  }

  async close(): Promise<void> {
    this.#stopDialling();
    await this.#remote?.close().catch(() => {});
    await this.#local.close();
  }

  #current(): Bus {
    return this.remote ?? this.#local;
  }

  #stopDialling(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#upstream.close();
  }

  async #dial(): Promise<void> {
    if (this.#closed) return;
    try {
      const remote = await this.#options.connect();
      if (this.#closed) return void await remote.close();
      this.#adopt(remote);
    } catch (error) {
      const delay = this.#nextDelay();
      this.#logger.debug("link unreachable", {
        error: messageOf(error),
        retryMs: delay,
      });
      if (this.#attempts === 1) {
        this.#tell({ state: "down", reason: messageOf(error) });
      }
      this.#timer = setTimeout(() => void this.#dial(), delay);
    }
  }

  // Capped exponential backoff with ±20% jitter.
  #nextDelay(): number {
    const { initialDelayMs, maxDelayMs } = this.#options;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** this.#attempts);
    this.#attempts++;
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  #adopt(remote: NatsBus): void {
    this.#remote = remote;
    this.#attempts = 0;
    for (const subscription of this.#subscriptions) {
      subscription.attach(remote);
    }
    remote.onStatus((event) => {
      if (event.status === "connected") {
        this.#up(remote.server);
      } else if (event.status === "closed") {
        this.#lost(event.error ? messageOf(event.error) : "link closed");
      } else {
        this.#down(event.error ? messageOf(event.error) : event.status);
      }
    });
    // Subscriptions reach the server before anyone is told the link is up.
    remote.flush().then(
      () => this.#up(remote.server),
      (error) => this.#down(messageOf(error)),
    );
  }

  #up(server: string): void {
    if (this.#state === "up" || this.#closed) return;
    this.#state = "up";
    this.#tell({ state: "up", server });
  }

  #down(reason: string): void {
    if (this.#state === "down") return;
    this.#state = "down";
    this.#tell({ state: "down", reason });
  }

  // The client gave up: forget it and dial again from scratch.
  #lost(reason: string): void {
    this.#down(reason);
    for (const subscription of this.#subscriptions) subscription.detach();
    this.#remote = undefined;
    if (!this.#closed) {
      this.#timer = setTimeout(() => void this.#dial(), this.#nextDelay());
    }
  }

  #tell(event: LinkEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own.
      }
    }
    this.#upstream.linkChanged(event.state);
  }
}
