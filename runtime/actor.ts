/**
 * A running actor: its claims, its compiled module and a pool of waPC
 * instances, each handling one invocation at a time, with a bounded queue
 * in front and a deadline on every invocation.
 *
 * @module
 */
import type { ActorClaims } from "./claims.ts";
import { DeadlineWatch, type Watched } from "./deadline_watch.ts";
import { ActorBusyError, DeadlineExceededError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import { FUEL_PER_TICK } from "./wasm_instrument.ts";
import {
  type HostCall,
  messageOf,
  TIME_SLICE_MS,
  WapcInstance,
} from "./wapc_instance.ts";

/** Where an invocation comes from, for authorisation and cycle checks. */
export interface InvocationContext {
  /** Actor keys whose invocations wait on this one, outermost first. */
  chain: readonly string[];
}

/** What an actor asks of its host. */
export interface ActorHost {
  /** Routes a guest's host call; `chain` ends with this actor. */
  hostCall(
    claims: ActorClaims,
    context: InvocationContext,
    call: HostCall,
  ): Promise<Uint8Array>;
}

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
  host: ActorHost;
  logger: Logger;
}

interface Run extends Watched {
  context: InvocationContext;
  sliceStart: number;
  /** Why the invocation was stopped, once it was. */
  stopped?: Error;
  /** Rejects the invocation's result. */
  fail?: (error: Error) => void;
  /** Rejects the host call the guest waits on, if any. */
  failHostCall?: (error: Error) => void;
}

interface Slot {
  instance: WapcInstance;
  holder: { run?: Run };
}

interface Waiting {
  operation: string;
  payload: Uint8Array;
  context: InvocationContext;
  resolve: (reply: Uint8Array) => void;
  reject: (error: Error) => void;
}

/** A pool of instances of one actor module. */
export class Actor {
  readonly #options: ActorOptions;
  readonly #free: Slot[] = [];
  readonly #queue: Waiting[] = [];
  readonly #watch = new DeadlineWatch();
  #size = 0;
  #running = 0;
  #stopped = false;
  #idle?: () => void;

  private constructor(options: ActorOptions) {
    this.#options = options;
  }

  /** Starts an actor with its pool filled. */
  static async start(options: ActorOptions): Promise<Actor> {
    const actor = new Actor(options);
    const slots = await Promise.all(
      Array.from({ length: options.instances }, () => actor.#createSlot()),
    );
    actor.#free.push(...slots);
    actor.#size = slots.length;
    return actor;
  }

  /** The actor's verified claims. */
  get claims(): ActorClaims {
    return this.#options.claims;
  }

  /** The actor's public key (`M…`). */
  get key(): string {
    return this.#options.claims.subject;
  }

  /** Instances in the pool. */
  get instances(): number {
    return this.#size;
  }

  /** Invocations waiting for a free instance. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Runs an operation on a free instance, waiting in the queue if all are
   * busy; rejects with ActorBusyError when the queue is full and with
   * DeadlineExceededError past the deadline.
   */
  invoke(
    operation: string,
    payload: Uint8Array,
    context: InvocationContext = { chain: [] },
  ): Promise<Uint8Array> {
    if (this.#stopped) {
      return Promise.reject(
        new Error(`Cannot invoke actor "${this.#name}": actor stopped`),
      );
    }
    const slot = this.#free.pop();
    if (slot) return this.#run(slot, operation, payload, context);
    if (this.#queue.length >= this.#options.queueLimit) {
      return Promise.reject(new ActorBusyError(this.key));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ operation, payload, context, resolve, reject });
    });
  }

  /**
   * Refuses new invocations, fails the queued ones and waits for those
   * running to finish.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const waiting of this.#queue.splice(0)) {
      waiting.reject(
        new Error(`Cannot invoke actor "${this.#name}": actor stopped`),
      );
    }
    if (this.#running === 0) return;
    await new Promise<void>((resolve) => this.#idle = resolve);
  }

  get #name(): string {
    return this.#options.claims.name ?? this.key;
  }

  async #run(
    slot: Slot,
    operation: string,
    payload: Uint8Array,
    context: InvocationContext,
  ): Promise<Uint8Array> {
    this.#running++;
    const run = this.#newRun(context);
    slot.holder.run = run;
    this.#watch.add(run);
    let replace = false;
    try {
      return await new Promise<Uint8Array>((resolve, reject) => {
        run.fail = reject;
        slot.instance.call(operation, payload).then(resolve, reject);
      });
    } catch (error) {
      replace = run.stopped !== undefined;
      throw this.#describeFailure(operation, error, run);
    } finally {
      this.#watch.delete(run);
      slot.holder.run = undefined;
      this.#running--;
      this.#release(slot, replace);
    }
  }

  #newRun(context: InvocationContext): Run {
    const now = performance.now();
    const run: Run = {
      context,
      deadlineAt: now + this.#options.deadlineMs,
      sliceStart: now,
      expire: () => this.#stop(run),
    };
    return run;
  }

  /** Stops a run past its deadline: its caller and host call fail now. */
  #stop(run: Run): DeadlineExceededError {
    const error = new DeadlineExceededError(
      this.#name,
      this.#options.deadlineMs,
    );
    if (run.stopped) return run.stopped as DeadlineExceededError;
    run.stopped = error;
    run.failHostCall?.(error);
    run.fail?.(error);
    return error;
  }

  #describeFailure(operation: string, error: unknown, run: Run): Error {
    if (run.stopped) return run.stopped;
    if (error instanceof WebAssembly.RuntimeError || isStackOverflow(error)) {
      return new Error(
        `Cannot finish "${operation}" on actor "${this.#name}": ` +
          `guest trapped: ${messageOf(error)}`,
        { cause: error },
      );
    }
    return error instanceof Error ? error : new Error(messageOf(error));
  }

  #release(slot: Slot, replace: boolean): void {
    if (!replace) return this.#next(slot);
    this.#options.logger.warn("instance replaced", {
      actor: this.key,
      reason: "deadline",
    });
    this.#createSlot().then(
      (fresh) => this.#next(fresh),
      (error) => {
        this.#size--;
        this.#options.logger.error("cannot replace instance", {
          actor: this.key,
          error: messageOf(error),
        });
      },
    );
  }

  #next(slot: Slot): void {
    const waiting = this.#queue.shift();
    if (waiting) {
      this.#run(slot, waiting.operation, waiting.payload, waiting.context)
        .then(waiting.resolve, waiting.reject);
      return;
    }
    this.#free.push(slot);
    if (this.#running === 0) this.#idle?.();
  }

  async #createSlot(): Promise<Slot> {
    const holder: { run?: Run } = {};
    const { claims, host, logger } = this.#options;
    const log = logger.child({ actor: claims.subject });
    const starting = this.#newRun({ chain: [] });
    holder.run = starting;
    this.#watch.add(starting);
    const instance = await WapcInstance.create(this.#options.module, {
      hostCall: (call) => {
        const run = holder.run;
        if (!run) {
          return Promise.reject(new Error("Cannot call host: no invocation"));
        }
        const context = { chain: [...run.context.chain, claims.subject] };
        return new Promise<Uint8Array>((resolve, reject) => {
          run.failHostCall = reject;
          host.hostCall(claims, context, call).then(resolve, reject);
        }).finally(() => run.failHostCall = undefined);
      },
      consoleLog: (text) => log.info("console log", { text }),
      output: (fd, bytes) =>
        log.info("guest output", {
          fd,
          text: new TextDecoder().decode(bytes).trimEnd(),
        }),
      tick: () => this.#tick(holder.run),
    }).finally(() => this.#watch.delete(starting));
    holder.run = undefined;
    return { instance, holder };
  }

  #tick(run: Run | undefined): number | Promise<number> {
    if (!run) return FUEL_PER_TICK;
    if (run.stopped) throw run.stopped;
    const now = performance.now();
    if (now >= run.deadlineAt) throw this.#stop(run);
    if (now - run.sliceStart < TIME_SLICE_MS) return FUEL_PER_TICK;
    return new Promise((resolve) =>
      setTimeout(() => {
        run.sliceStart = performance.now();
        resolve(FUEL_PER_TICK);
      }, 0)
    );
  }
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError &&
    error.message.includes("call stack size");
}
