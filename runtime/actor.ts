/**
 * A running actor: a pool of instances of its current module, a bounded
 * queue in front, scaling, and live updates that drop no invocation.
 *
 * @module
 */
import {
  type ActorHost,
  ActorSlot,
  type ActorVersion,
  type InvocationContext,
} from "./actor_slot.ts";
import type { ActorClaims } from "./claims.ts";
import { encode } from "./codec.ts";
import { DeadlineWatch } from "./deadline_watch.ts";
import {
  ActorBusyError,
  DeadlineExceededError,
  GuestTrapError,
  UpdateRolledBackError,
} from "./errors.ts";
import type { Logger } from "./logger.ts";
import { messageOf } from "./wapc_instance.ts";

export type { ActorHost, InvocationContext };

/** How an actor runs. */
export interface ActorOptions {
  claims: ActorClaims;
  /** The checked, instrumented, compiled module. */
  module: WebAssembly.Module;
  /** Instances in the pool (each runs one invocation at a time). */
  instances: number;
  /** Per-invocation deadline in ms. */
  deadlineMs: number;
  /** Invocations that may wait for a free instance before "busy". */
  queueLimit: number;
  /** Whether the limit is the actor's own rather than its host's. */
  ownQueueLimit?: boolean;
  host: ActorHost;
  logger: Logger;
}

interface Waiting {
  operation: string;
  payload: Uint8Array;
  context: InvocationContext;
  resolve: (reply: Uint8Array) => void;
  reject: (error: Error) => void;
}

const HEALTH_REQUEST = encode({ placeholder: true });

/** A pool of instances of one actor. */
export class Actor {
  readonly #options: ActorOptions;
  readonly #watch = new DeadlineWatch();
  readonly #free: ActorSlot[] = [];
  readonly #queue: Waiting[] = [];
  #version: ActorVersion;
  #queueLimit: number;
  #ownQueueLimit: boolean;
  /** Instances of the current version, busy or free. */
  #current = 0;
  #target: number;
  #running = 0;
  #stopped = false;
  #idle?: () => void;

  private constructor(options: ActorOptions) {
    this.#options = options;
    this.#queueLimit = options.queueLimit;
    this.#ownQueueLimit = options.ownQueueLimit ?? false;
    this.#target = options.instances;
    this.#version = {
      claims: options.claims,
      module: options.module,
      generation: 1,
    };
  }

  /** Starts an actor with its pool filled. */
  static async start(options: ActorOptions): Promise<Actor> {
    const actor = new Actor(options);
    const slots = await actor.#createSlots(actor.#version, actor.#target);
    actor.#current = slots.length;
    actor.#free.push(...slots);
    return actor;
  }

  /** The claims of the module now serving. */
  get claims(): ActorClaims {
    return this.#version.claims;
  }

  /** The actor's public key (`M…`). */
  get key(): string {
    return this.#version.claims.subject;
  }

  /** Instances of the current module in the pool. */
  get instances(): number {
    return this.#target;
  }

  /** How many invocations may wait for a free instance. */
  get queueLimit(): number {
    return this.#queueLimit;
  }

  /** Whether the queue limit is the actor's own rather than its host's. */
  get ownQueueLimit(): boolean {
    return this.#ownQueueLimit;
  }

  /**
   * Changes how many invocations may wait (`own`: a limit of the actor's
   * own, not its host's); those already waiting stay, and new ones are
   * refused until the queue is below the new limit.
   */
  setQueueLimit(queueLimit: number, own = true): void {
    if (!Number.isInteger(queueLimit) || queueLimit < 0) {
      throw new RangeError(
        `Cannot set the queue limit of actor "${this.#name}": ` +
          `${queueLimit} is not a whole number`,
      );
    }
    this.#queueLimit = queueLimit;
    this.#ownQueueLimit = own;
  }

  /** Invocations waiting for a free instance. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Runs an operation on a free instance, waiting in the queue if all are
   * busy; rejects with ActorBusyError when the queue is full.
   */
  invoke(
    operation: string,
    payload: Uint8Array,
    context: InvocationContext = { chain: [] },
  ): Promise<Uint8Array> {
    if (this.#stopped) return Promise.reject(this.#stoppedError());
    const slot = this.#free.pop();
    if (slot) return this.#run(slot, operation, payload, context);
    if (this.#queue.length >= this.#queueLimit) {
      return Promise.reject(new ActorBusyError(this.key));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ operation, payload, context, resolve, reject });
    });
  }

  /**
   * Grows or shrinks the pool. Extra busy instances leave when their
   * invocation ends; none is interrupted.
   */
  async scale(instances: number): Promise<void> {
    if (!Number.isInteger(instances) || instances < 1) {
      throw new RangeError(
        `Cannot scale actor "${this.#name}": ${instances} is not a whole ` +
          "number of at least 1",
      );
    }
    this.#target = instances;
    const missing = instances - this.#current;
    if (missing > 0) {
      const slots = await this.#createSlots(this.#version, missing);
      this.#current += slots.length;
      for (const slot of slots) this.#next(slot);
      return;
    }
    while (this.#current > this.#target && this.#free.length > 0) {
      this.#free.pop();
      this.#current--;
    }
  }

  /**
   * Replaces the module with a new version of the same identity. The new
   * module must start and answer a `HealthRequest` (an error reply counts
   * as healthy; a trap or a missed deadline does not) before any instance
   * switches. Running invocations finish on the old module; queued and
   * new ones run on the new one. Rejects with UpdateRolledBackError, the
   * old module still serving, when the new one fails.
   */
  async update(claims: ActorClaims, module: WebAssembly.Module) {
    const version = {
      claims,
      module,
      generation: this.#version.generation + 1,
    };
    const slots = await this.#prepare(version);
    this.#version = version;
    this.#free.length = 0;
    this.#current = slots.length;
    for (const slot of slots) this.#next(slot);
  }

  /**
   * Refuses new invocations, fails the queued ones and waits for those
   * running to finish.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const waiting of this.#queue.splice(0)) {
      waiting.reject(this.#stoppedError());
    }
    if (this.#running === 0) return;
    await new Promise<void>((resolve) => this.#idle = resolve);
  }

  get #name(): string {
    return this.#version.claims.name ?? this.key;
  }

  #stoppedError(): Error {
    return new Error(`Cannot invoke actor "${this.#name}": actor stopped`);
  }

  async #prepare(version: ActorVersion): Promise<ActorSlot[]> {
    let probe: ActorSlot;
    try {
      probe = await this.#createSlot(version);
    } catch (error) {
      throw new UpdateRolledBackError(
        this.#name,
        `new module failed to start: ${messageOf(error)}`,
        { cause: error },
      );
    }
    try {
      await probe.run("HealthRequest", HEALTH_REQUEST, { chain: [] });
    } catch (error) {
      if (
        error instanceof GuestTrapError ||
        error instanceof DeadlineExceededError
      ) {
        throw new UpdateRolledBackError(
          this.#name,
          `new module failed its health check: ${messageOf(error)}`,
          { cause: error },
        );
      }
    }
    const probeUsable = !probe.expired;
    const rest = await this.#createSlots(
      version,
      this.#target - (probeUsable ? 1 : 0),
    ).catch((error) => {
      throw new UpdateRolledBackError(
        this.#name,
        `new module failed to start: ${messageOf(error)}`,
        { cause: error },
      );
    });
    return probeUsable ? [probe, ...rest] : rest;
  }

  #run(
    slot: ActorSlot,
    operation: string,
    payload: Uint8Array,
    context: InvocationContext,
  ): Promise<Uint8Array> {
    this.#running++;
    const done = () => {
      this.#running--;
      this.#release(slot);
    };
    return slot.run(operation, payload, context).then((response) => {
      done();
      return response;
    }, (error) => {
      done();
      throw error;
    });
  }

  // A finished instance serves the queue, returns to the pool, or leaves
  // it: when its version is outdated, the pool shrank, or its deadline
  // passed (then a fresh instance takes its place).
  #release(slot: ActorSlot): void {
    if (slot.version !== this.#version) return this.#settle();
    if (slot.expired) {
      this.#options.logger.warn("instance replaced", {
        actor: this.key,
        reason: "deadline",
      });
      this.#current--;
      this.#refill();
      return this.#settle();
    }
    if (this.#current > this.#target) {
      this.#current--;
      return this.#settle();
    }
    this.#next(slot);
  }

  #refill(): void {
    const version = this.#version;
    this.#current++;
    this.#createSlot(version).then(
      (fresh) => {
        if (version === this.#version) this.#next(fresh);
      },
      (error) => {
        this.#current--;
        this.#options.logger.error("cannot replace instance", {
          actor: this.key,
          error: messageOf(error),
        });
      },
    );
  }

  #next(slot: ActorSlot): void {
    const waiting = this.#queue.shift();
    if (waiting) {
      this.#run(slot, waiting.operation, waiting.payload, waiting.context)
        .then(waiting.resolve, waiting.reject);
      return;
    }
    this.#free.push(slot);
    this.#settle();
  }

  #settle(): void {
    if (this.#running === 0) this.#idle?.();
  }

  #createSlots(version: ActorVersion, count: number): Promise<ActorSlot[]> {
    return Promise.all(
      Array.from({ length: count }, () => this.#createSlot(version)),
    );
  }

  #createSlot(version: ActorVersion): Promise<ActorSlot> {
    return ActorSlot.create(version, {
      deadlineMs: this.#options.deadlineMs,
      host: this.#options.host,
      logger: this.#options.logger,
      watch: this.#watch,
    });
  }
}
