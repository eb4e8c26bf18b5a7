/**
 * One instance of an actor's module with what watches it: the deadline of
 * the invocation it runs, time slices for a long-running guest, and the
 * context its host calls carry.
 *
 * @module
 */
import type { ActorClaims } from "./claims.ts";
import type { DeadlineWatch, Watched } from "./deadline_watch.ts";
import { DeadlineExceededError, GuestTrapError } from "./errors.ts";
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

/** One module of an actor with its claims; updates make a new version. */
export interface ActorVersion {
  claims: ActorClaims;
  module: WebAssembly.Module;
  generation: number;
}

/** What every slot of an actor shares. */
export interface SlotOptions {
  deadlineMs: number;
  host: ActorHost;
  logger: Logger;
  watch: DeadlineWatch;
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

/** An instance of one actor version, running one invocation at a time. */
export class ActorSlot {
  readonly version: ActorVersion;
  readonly #options: SlotOptions;
  #instance!: WapcInstance;
  #run?: Run;
  /** Set once a deadline stopped the instance; its guest may not go on. */
  #stopped?: Error;

  private constructor(version: ActorVersion, options: SlotOptions) {
    this.version = version;
    this.#options = options;
  }

  /** Instantiates a version, running `_start` and `wapc_init`. */
  static async create(
    version: ActorVersion,
    options: SlotOptions,
  ): Promise<ActorSlot> {
    const slot = new ActorSlot(version, options);
    const starting = slot.#newRun({ chain: [] });
    slot.#run = starting;
    options.watch.add(starting);
    try {
      slot.#instance = await WapcInstance.create(
        version.module,
        slot.#hooks(),
      );
    } finally {
      options.watch.delete(starting);
      slot.#run = undefined;
    }
    if (slot.#stopped) throw slot.#stopped;
    return slot;
  }

  /** Whether a deadline stopped this instance: it must not run again. */
  get expired(): boolean {
    return this.#stopped !== undefined;
  }

  /**
   * Runs one invocation. Rejects with the guest's error, GuestTrapError on
   * a trap, or DeadlineExceededError past the deadline.
   */
  run(
    operation: string,
    payload: Uint8Array,
    context: InvocationContext,
  ): Promise<Uint8Array> {
    const run = this.#newRun(context);
    this.#run = run;
    this.#options.watch.add(run);
    // One promise the deadline can reject early; the guest's own settles
    // it otherwise. Written without async steps: each costs a turn.
    return new Promise<Uint8Array>((resolve, reject) => {
      const end = () => {
        this.#options.watch.delete(run);
        if (this.#run === run) this.#run = undefined;
      };
      const fail = (error: unknown) => {
        end();
        reject(this.#describeFailure(operation, error, run));
      };
      run.fail = fail;
      try {
        this.#instance.call(operation, payload).then((response) => {
          end();
          resolve(response);
        }, fail);
      } catch (error) {
        fail(error);
      }
    });
  }

  get #name(): string {
    return this.version.claims.name ?? this.version.claims.subject;
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

  // Past the deadline the caller and any pending host call fail at once;
  // the guest unwinds at its next fuel tick. That tick may come after
  // `run()` returned (the guest was suspended when the watch fired), so
  // the instance, not the invocation, remembers that it was stopped.
  #stop(run: Run): Error {
    if (run.stopped) return run.stopped;
    const error = new DeadlineExceededError(
      this.#name,
      this.#options.deadlineMs,
    );
    run.stopped = error;
    this.#stopped = error;
    run.failHostCall?.(error);
    run.fail?.(error);
    return error;
  }

  #describeFailure(operation: string, error: unknown, run: Run): Error {
    if (run.stopped) return run.stopped;
    if (error instanceof WebAssembly.RuntimeError || isStackOverflow(error)) {
      return new GuestTrapError(this.#name, operation, messageOf(error), {
        cause: error,
      });
    }
    return error instanceof Error ? error : new Error(messageOf(error));
  }

  #hooks() {
    const { claims } = this.version;
    const { host } = this.#options;
    const log = this.#options.logger.child({ actor: claims.subject });
    return {
      hostCall: (call: HostCall) => {
        const run = this.#run;
        if (this.#stopped) return Promise.reject(this.#stopped);
        if (!run) {
          return Promise.reject(new Error("Cannot call host: no invocation"));
        }
        const context = { chain: [...run.context.chain, claims.subject] };
        return new Promise<Uint8Array>((resolve, reject) => {
          run.failHostCall = reject;
          host.hostCall(claims, context, call).then(resolve, reject);
        }).finally(() => run.failHostCall = undefined);
      },
      consoleLog: (text: string) => log.info("console log", { text }),
      output: (fd: 1 | 2, bytes: Uint8Array) =>
        log.info("guest output", {
          fd,
          text: new TextDecoder().decode(bytes).trimEnd(),
        }),
      tick: () => this.#tick(),
    };
  }

  // Refills the guest's fuel; yields after a time slice so other work
  // runs, and throws past the deadline so the guest unwinds. A stopped
  // guest gets no fuel ever again: every later tick throws, and a yield
  // the deadline overtook resumes by throwing.
  #tick(): number | Promise<number> {
    if (this.#stopped) throw this.#stopped;
    const run = this.#run;
    if (!run) throw new Error("Cannot run guest: no invocation is running");
    const now = performance.now();
    if (now >= run.deadlineAt) throw this.#stop(run);
    if (now - run.sliceStart < TIME_SLICE_MS) return FUEL_PER_TICK;
    return new Promise((resolve, reject) =>
      setTimeout(() => {
        if (this.#stopped) return reject(this.#stopped);
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
