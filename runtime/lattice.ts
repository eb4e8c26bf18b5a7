/**
 * A host's membership of a lattice (spec §5) over any bus: it serves the
 * host's actors and providers to other hosts, sends the host's calls for
 * targets elsewhere, spreads bindings, answers inventory queries and
 * publishes events and heartbeats. Local calls never come here: the
 * router tries the host first.
 *
 * @module
 */
import type { Bus, BusMessage, Subscription } from "./bus.ts";
import { readChain } from "./call_chain.ts";
import { asString } from "./codec.ts";
import type { Host } from "./host.ts";
import type { HostEvent } from "./host_events.ts";
import { type Entity, SYSTEM_ORIGIN } from "./invocation.ts";
import type { InvocationSigner } from "./invocation_token.ts";
import {
  answerInvocation,
  expectTarget,
  type InvocationHandler,
} from "./lattice_answer.ts";
import {
  cloudEvent,
  type NamedEvent,
  namedEvent,
  readCloudEvent,
} from "./lattice_events.ts";
import { heartbeat, inventoryAnswer } from "./lattice_inventory.ts";
import { type InventoryKind, LatticeSubjects } from "./lattice_subjects.ts";
import { LatticeBindings } from "./lattice_bindings.ts";
import { LatticeCalls } from "./lattice_calls.ts";
import { type LinkedBus, type LinkState, type UpstreamState } from "./link.ts";
import { type Logger, silentLogger } from "./logger.ts";
import type { Remote } from "./remote.ts";
import { messageOf } from "./wapc_instance.ts";

/** How a host joins a lattice. */
export interface LatticeOptions {
  /**
   * The bus the lattice runs on: NATS, a loopback bus in tests, or a
   * linked bus that works offline; with one, calls that need another host
   * fail at once while its link is down, and the host joins again (events,
   * bindings, heartbeat) each time the link comes up.
   */
  bus: Bus | LinkedBus;
  /** Signs this host's invocations with its server key. */
  signer: InvocationSigner;
  /** The lattice's name; without one the subjects are waSCC's own. */
  namespace?: string;
  /** How long a call to another host may take, in ms (default 2 s). */
  rpcTimeoutMs?: number;
  /** Host keys allowed to invoke this host; empty allows any. */
  trustedHosts?: readonly string[];
  /** Interval of heartbeat events in ms (default 30 s); 0 sends none. */
  heartbeatMs?: number;
  /** Clock skew tolerated on invocation tokens, in seconds. */
  skewSeconds?: number;
  /** Where the lattice logs. */
  logger?: Logger;
}

const INVENTORY_KINDS: InventoryKind[] = [
  "hosts",
  "actors",
  "bindings",
  "capabilities",
];
const SYSTEM: Entity = { kind: "actor", key: SYSTEM_ORIGIN };

/** A host in a lattice. */
export class Lattice implements Remote {
  /** The subjects of this lattice. */
  readonly subjects: LatticeSubjects;
  readonly #host: Host;
  readonly #bus: Bus;
  readonly #calls: LatticeCalls;
  readonly #logger: Logger;
  readonly #check;
  readonly #actors = new Map<string, Subscription>();
  /** Actors being stopped: still ours until their bindings are gone. */
  readonly #releasing = new Set<string>();
  readonly #fixed: Subscription[] = [];
  readonly #bindings: LatticeBindings;
  #offEvents?: () => void;
  #offLink?: () => void;
  #heartbeat?: ReturnType<typeof setInterval>;

  private constructor(host: Host, options: LatticeOptions) {
    this.#host = host;
    this.#bus = options.bus;
    this.#logger = options.logger ?? silentLogger;
    this.subjects = new LatticeSubjects(options.namespace);
    this.#calls = new LatticeCalls({
      bus: this.#bus,
      signer: options.signer,
      subjects: this.subjects,
      rpcTimeoutMs: options.rpcTimeoutMs ?? 2000,
      linkState: () => this.linkState,
    });
    this.#check = {
      trustedHosts: new Set(options.trustedHosts ?? []),
      skewSeconds: options.skewSeconds,
      logger: this.#logger,
    };
    this.#bindings = new LatticeBindings({
      host,
      bus: this.#bus,
      subjects: this.subjects,
      serve: (message, handle) => this.#serve(message, handle),
      send: (subject, invocation) =>
        this.#try(
          "publish invocation",
          () => this.#calls.publish(subject, invocation),
        ),
      invocation: (target, operation, msg) =>
        this.#calls.invocation(SYSTEM, target, operation, msg),
    });
  }

  /**
   * Joins `host` to the lattice on `options.bus`: subscribes for what the
   * host runs, announces its bindings and starts its heartbeat.
   */
  static join(host: Host, options: LatticeOptions): Lattice {
    if (host.id !== options.signer.hostId) {
      throw new TypeError(
        `Cannot join the lattice: the signer's key "${options.signer.hostId}"` +
          ` is not the host's "${host.id}"`,
      );
    }
    const lattice = new Lattice(host, options);
    lattice.#start(options.heartbeatMs ?? 30_000);
    return lattice;
  }

  /** The bus the lattice runs on. */
  get bus(): Bus {
    return this.#bus;
  }

  /** The host this membership is of. */
  get host(): Host {
    return this.#host;
  }

  /** Whether other hosts can be reached; `up` on a bus with no link. */
  get linkState(): LinkState {
    return isLinked(this.#bus) ? this.#bus.state : "up";
  }

  /** Whether the cloud beyond the link is reachable; else the link's. */
  get upstreamState(): UpstreamState {
    return isLinked(this.#bus) ? this.#bus.upstream ?? this.#bus.state : "up";
  }

  /**
   * Calls an actor on another host through the lattice; `chain` (the
   * actors waiting on this call) travels along, so that a call back into
   * one of them fails at once wherever it lands.
   */
  invokeActor(
    actor: string,
    operation: string,
    payload: Uint8Array,
    origin: Entity,
    chain: readonly string[] = [],
  ): Promise<Uint8Array> {
    return this.#calls.invokeActor(actor, operation, payload, origin, chain);
  }

  /** Calls a provider on another host for one of this host's actors. */
  callProvider(
    ...call: Parameters<Remote["callProvider"]>
  ): Promise<Uint8Array> {
    return this.#calls.callProvider(...call);
  }

  /** Drains the subscription of a local actor that is about to stop. */
  async releaseActor(actor: string): Promise<void> {
    const subscription = this.#actors.get(actor);
    this.#actors.delete(actor);
    this.#releasing.add(actor);
    await subscription?.drain();
  }

  /** Publishes an event of this host on the lattice's event subject. */
  publishEvent(event: NamedEvent): void {
    const payload = new TextEncoder().encode(
      JSON.stringify(cloudEvent(this.#host.id, event)),
    );
    this.#try(
      "publish event",
      () => this.#bus.publish(this.subjects.events, payload),
    );
  }

  /** Leaves the lattice: says so, and ends every subscription. */
  leave(): void {
    this.publishEvent({ name: "HostStopped", fields: { host: this.#host.id } });
    clearInterval(this.#heartbeat);
    this.#offEvents?.();
    this.#offLink?.();
    this.#host.attachRemote(undefined);
    for (const subscription of [...this.#fixed, ...this.#actors.values()]) {
      subscription.unsubscribe();
    }
    this.#actors.clear();
    this.#bindings.clear();
  }

  #start(heartbeatMs: number): void {
    for (const kind of INVENTORY_KINDS) {
      this.#fixed.push(this.#bus.subscribe(
        this.subjects.inventory(kind),
        (message) => this.#answerInventory(message, kind),
      ));
    }
    this.#fixed.push(this.#bus.subscribe(
      this.subjects.events,
      (message) => this.#heard(message),
    ));
    for (const claims of this.#host.actors()) this.#serveActor(claims.subject);
    this.#bindings.start();
    this.#host.attachRemote(this);
    this.#offEvents = this.#host.events.on((event) => this.#onHostEvent(event));
    this.publishEvent({ name: "HostStarted", fields: { host: this.#host.id } });
    this.#followLink();
    if (heartbeatMs > 0) {
      this.#beat();
      this.#heartbeat = setInterval(() => this.#beat(), heartbeatMs);
    }
  }

  #beat(): void {
    this.publishEvent({
      name: "HostHeartbeat",
      fields: heartbeat(this.#host, {
        link: this.linkState,
        upstream: this.upstreamState,
      }),
    });
  }

  #followLink(): void {
    const bus = this.#bus;
    if (!isLinked(bus)) return;
    // The cloud lost behind a link that stayed up (a leaf node's hub gone)
    // may have forgotten this host as well: join again when it returns.
    let lostBehindLink = false;
    this.#offLink = bus.onLink((change) => {
      this.#host.events.emit({ type: "link_changed", ...change });
      if (change.state === "up") {
        lostBehindLink = false;
        this.#rejoin();
      }
    });
    const offUpstream = bus.onUpstream?.((change) => {
      if (change.state === "down") lostBehindLink = bus.state === "up";
      else if (change.state === "up" && lostBehindLink) {
        lostBehindLink = false;
        this.#rejoin();
      }
    });
    const offLink = this.#offLink;
    this.#offLink = () => {
      offLink();
      offUpstream?.();
    };
  }

  // Other hosts may have started, or forgotten this one, while the link
  // was down: say who we are and what we serve again.
  #rejoin(): void {
    this.publishEvent({ name: "HostStarted", fields: { host: this.#host.id } });
    for (const provider of this.#host.providers()) {
      this.publishEvent(namedEvent({
        type: "provider_loaded",
        capabilityId: provider.capabilityId,
        binding: provider.binding,
      }));
    }
    this.#bindings.announceAll();
    this.#beat();
  }

  #onHostEvent(event: HostEvent): void {
    this.publishEvent(namedEvent(event));
    if (event.type === "actor_started") this.#serveActor(event.actor);
    this.#bindings.onHostEvent(event, (actor) => this.#isLocal(actor));
    if (event.type === "actor_stopped") this.#releasing.delete(event.actor);
  }

  #isLocal(actor: string): boolean {
    return this.#host.actor(actor) !== undefined || this.#actors.has(actor) ||
      this.#releasing.has(actor);
  }

  #serveActor(key: string): void {
    if (this.#actors.has(key)) return;
    const subject = this.subjects.actor(key);
    this.#actors.set(
      key,
      this.#bus.subscribe(
        subject,
        (message) =>
          this.#serve(message, (invocation) => {
            const { target } = invocation;
            expectTarget(
              target.kind === "actor" && target.key === key,
              `actor "${key}"`,
            );
            return this.#host.invokeLocal(
              key,
              invocation.operation,
              invocation.msg,
              readChain(message.headers),
            );
          }),
        { queue: subject },
      ),
    );
  }

  // Each invocation runs on its own: the actor's pool and queue bound how
  // many run at once, not the subscription.
  #serve(message: BusMessage, handle: InvocationHandler): void {
    void answerInvocation(message, handle, this.#check);
  }

  #answerInventory(message: BusMessage, kind: InventoryKind): void {
    const answer = JSON.stringify(
      inventoryAnswer(this.#host, kind, this.linkState),
    );
    this.#try(
      "answer inventory",
      () => message.respond(new TextEncoder().encode(answer)),
    );
  }

  #heard(message: BusMessage): void {
    const event = readCloudEvent(message.payload);
    if (!event || event.source === this.#host.id) return;
    if (event.name === "ProviderLoaded") {
      const capabilityId = asString(event.fields.capid, "capid");
      const binding = asString(event.fields.instance_name, "instance_name");
      this.#bindings.announce(capabilityId, binding);
    }
  }

  #try(action: string, step: () => unknown): void {
    try {
      step();
    } catch (error) {
      this.#logger.warn(`cannot ${action}`, { error: messageOf(error) });
    }
  }
}

function isLinked(bus: Bus | LinkedBus): bus is LinkedBus {
  return "onLink" in bus && typeof bus.onLink === "function";
}
