/**
 * One instance of a waPC guest (spec §1), run on the main thread: host
 * calls suspend the guest through JSPI while an asynchronous provider
 * answers, and the fuel import added at load time lets a long-running
 * guest yield to the event loop and be stopped at its deadline.
 *
 * @module
 */
import "./jspi.ts";
import { TICK_IMPORT } from "./wasm_instrument.ts";
import { WASI_MODULES, wasiImports } from "./wasi.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How long a guest may run before it yields to other work, in ms. */
export const TIME_SLICE_MS = 10;

/** A call from the guest to the host (`__host_call`). */
export interface HostCall {
  binding: string;
  namespace: string;
  operation: string;
  payload: Uint8Array;
}

/** What an instance needs from the host around it. */
export interface InstanceHooks {
  /** Answers a host call, or rejects with the error the guest sees. */
  hostCall(call: HostCall): Promise<Uint8Array>;
  /** A line the guest logged with `__console_log`. */
  consoleLog(text: string): void;
  /** Bytes the guest wrote to WASI stdout (1) or stderr (2). */
  output(fd: 1 | 2, bytes: Uint8Array): void;
  /** Fuel refill: may yield (a Promise) or throw to stop the guest. */
  tick(): number | Promise<number>;
}

type GuestCall = (opLength: number, payloadLength: number) => Promise<number>;

/** Modules a guest may import functions from. */
const GUEST_MODULES = new Set(["wapc", ...WASI_MODULES]);

/**
 * Refuses an instrumented module whose guest imports anything but `wapc`
 * and WASI functions, or that lacks the waPC exports.
 */
export function checkImports(module: WebAssembly.Module): void {
  let ticks = 0;
  for (const entry of WebAssembly.Module.imports(module)) {
    const name = `${entry.module}.${entry.name}`;
    if (
      entry.module === TICK_IMPORT.module && entry.name === TICK_IMPORT.name
    ) {
      ticks++;
    } else if (!GUEST_MODULES.has(entry.module)) {
      throw new TypeError(
        `Cannot load module: it imports "${name}"; ` +
          `only "wapc" and WASI preview1 imports are provided`,
      );
    }
    if (entry.kind !== "function" || ticks > 1) {
      throw new TypeError(
        `Cannot load module: it imports ${entry.kind} "${name}"; ` +
          `only waPC and WASI functions may be imported`,
      );
    }
  }
  const exports = new Map(
    WebAssembly.Module.exports(module).map((entry) => [entry.name, entry]),
  );
  if (exports.get("memory")?.kind !== "memory") {
    throw new TypeError('Cannot load module: it exports no "memory"');
  }
  if (exports.get("__guest_call")?.kind !== "function") {
    throw new TypeError('Cannot load module: it exports no "__guest_call"');
  }
}

/**
 * A waPC guest instance. It handles one call at a time; the caller
 * (an actor's pool) makes sure of that.
 */
export class WapcInstance {
  #memory!: WebAssembly.Memory;
  #guestCall!: GuestCall;
  #operation = new Uint8Array();
  #payload: Uint8Array = new Uint8Array();
  #guestResponse: Uint8Array | undefined;
  #guestError: string | undefined;
  #hostResponse: Uint8Array | undefined;
  #hostError: string | undefined;

  private constructor(readonly hooks: InstanceHooks) {}

  /**
   * Instantiates a checked, instrumented module and runs `_start`, then
   * `wapc_init`, when the guest exports them.
   */
  static async create(
    module: WebAssembly.Module,
    hooks: InstanceHooks,
  ): Promise<WapcInstance> {
    const wapc = new WapcInstance(hooks);
    const instance = new WebAssembly.Instance(module, wapc.#imports(module));
    wapc.#memory = instance.exports.memory as WebAssembly.Memory;
    wapc.#guestCall = WebAssembly.promising(
      instance.exports.__guest_call as (...args: number[]) => number,
    ) as GuestCall;
    for (const name of ["_start", "wapc_init"]) {
      const start = instance.exports[name];
      if (typeof start !== "function") continue;
      try {
        await WebAssembly.promising(start as () => void)();
      } catch (error) {
        throw new Error(
          `Cannot start guest: "${name}" failed: ${messageOf(error)}`,
          { cause: error },
        );
      }
    }
    return wapc;
  }

  /** The guest's current memory size in bytes. */
  get memoryBytes(): number {
    return this.#memory.buffer.byteLength;
  }

  /**
   * Calls the guest with an operation and payload; resolves with its
   * response or rejects with its error text (spec §1, steps 1–3).
   */
  call(operation: string, payload: Uint8Array): Promise<Uint8Array> {
    this.#operation = operationBytes(operation);
    this.#payload = payload;
    this.#guestResponse = undefined;
    this.#guestError = undefined;
    this.#hostResponse = undefined;
    this.#hostError = undefined;

    return this.#guestCall(this.#operation.length, payload.length).then(
      (status) => {
        const response = this.#guestResponse;
        const error = this.#guestError;
        this.#guestResponse = undefined;
        if (status !== 0 && response !== undefined) return response;
        throw new Error(error ?? `Guest call "${operation}" failed`);
      },
    );
  }

  #imports(module: WebAssembly.Module): WebAssembly.Imports {
    const declared = WebAssembly.Module.imports(module);
    const imports: WebAssembly.Imports = {
      wapc: this.#wapcImports(),
      [TICK_IMPORT.module]: {
        [TICK_IMPORT.name]: suspending(this.hooks.tick),
      },
    };
    for (const name of WASI_MODULES) {
      imports[name] = wasiImports(declared, name, {
        memory: () => this.#memory,
        onOutput: this.hooks.output,
      });
    }
    return imports;
  }

  #wapcImports(): WebAssembly.ModuleImports {
    return {
      __guest_request: (opPointer: number, payloadPointer: number) => {
        this.#write(opPointer, this.#operation);
        this.#write(payloadPointer, this.#payload);
      },
      __guest_response: (pointer: number, length: number) => {
        this.#guestResponse = this.#read(pointer, length);
      },
      __guest_error: (pointer: number, length: number) => {
        this.#guestError = decoder.decode(this.#read(pointer, length));
      },
      __host_call: suspending(this.#hostCall),
      __host_response_len: () => this.#hostResponse?.length ?? 0,
      __host_response: (pointer: number) => {
        if (this.#hostResponse) this.#write(pointer, this.#hostResponse);
      },
      __host_error_len: () =>
        this.#hostError ? encoder.encode(this.#hostError).length : 0,
      __host_error: (pointer: number) => {
        if (this.#hostError) {
          this.#write(pointer, encoder.encode(this.#hostError));
        }
      },
      __console_log: (pointer: number, length: number) => {
        this.hooks.consoleLog(decoder.decode(this.#read(pointer, length)));
      },
    };
  }

  #hostCall = async (
    bindingPointer: number,
    bindingLength: number,
    namespacePointer: number,
    namespaceLength: number,
    operationPointer: number,
    operationLength: number,
    payloadPointer: number,
    payloadLength: number,
  ): Promise<number> => {
    this.#hostResponse = undefined;
    this.#hostError = undefined;
    const call: HostCall = {
      binding: this.#text(bindingPointer, bindingLength),
      namespace: this.#text(namespacePointer, namespaceLength),
      operation: this.#text(operationPointer, operationLength),
      payload: this.#read(payloadPointer, payloadLength),
    };
    try {
      this.#hostResponse = await this.hooks.hostCall(call);
      return 1;
    } catch (error) {
      this.#hostError = messageOf(error);
      return 0;
    }
  };

  // A view on the guest's memory, made again only when the memory grew
  // (growing replaces its buffer).
  #view: Uint8Array = new Uint8Array();

  #bytes(): Uint8Array {
    const buffer = this.#memory.buffer;
    if (this.#view.buffer !== buffer) this.#view = new Uint8Array(buffer);
    return this.#view;
  }

  // Pointers and lengths arrive as signed i32: read them as unsigned.
  #read(pointer: number, length: number): Uint8Array {
    pointer >>>= 0;
    length >>>= 0;
    const memory = this.#bytes();
    if (pointer + length > memory.length) {
      throw new RangeError(
        `Cannot read guest memory: ${length} bytes at ${pointer} ` +
          `lie past its end (${memory.length} bytes)`,
      );
    }
    return memory.slice(pointer, pointer + length);
  }

  #write(pointer: number, bytes: Uint8Array): void {
    pointer >>>= 0;
    const memory = this.#bytes();
    if (pointer + bytes.length > memory.length) {
      throw new RangeError(
        `Cannot write guest memory: ${bytes.length} bytes at ${pointer} ` +
          `lie past its end (${memory.length} bytes)`,
      );
    }
    memory.set(bytes, pointer);
  }

  #text(pointer: number, length: number): string {
    return decoder.decode(this.#read(pointer, length));
  }
}

// An import whose returned Promise suspends the guest until it settles.
// deno-lint-ignore no-explicit-any
function suspending(fn: (...args: any[]) => unknown): WebAssembly.ImportValue {
  return new WebAssembly.Suspending(fn) as unknown as WebAssembly.ImportValue;
}

/** The message of an error, or the value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Actors see few distinct operation names; their bytes are kept rather
// than encoded on every call.
const operationCache = new Map<string, Uint8Array<ArrayBuffer>>();
const OPERATION_CACHE_LIMIT = 256;

function operationBytes(operation: string): Uint8Array<ArrayBuffer> {
  let bytes = operationCache.get(operation);
  if (bytes) return bytes;
  bytes = encoder.encode(operation);
  if (operationCache.size >= OPERATION_CACHE_LIMIT) operationCache.clear();
  operationCache.set(operation, bytes);
  return bytes;
}
