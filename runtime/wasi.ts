/**
 * The minimal WASI preview1 context a guest gets (spec §1): output on
 * stdout and stderr, clocks, randomness, `proc_exit` ending the call, no
 * arguments, no environment, no preopened directories. Every other
 * preview1 function answers ENOSYS.
 *
 * @module
 */

/** Module names under which guests import WASI preview1. */
export const WASI_MODULES = ["wasi_snapshot_preview1", "wasi_unstable"];

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_FAULT = 21;
const ERRNO_INVAL = 28;
const ERRNO_NOSYS = 52;

/** Thrown out of the guest by `proc_exit`; the call fails with it. */
export class GuestExitError extends Error {
  override name = "GuestExitError";
  constructor(readonly code: number) {
    super(`Cannot finish call: guest exited with code ${code}`);
  }
}

/** Where the WASI context sends what the guest writes. */
export interface WasiOptions {
  /** Receives bytes the guest writes to fd 1 (stdout) or 2 (stderr). */
  onOutput(fd: 1 | 2, bytes: Uint8Array): void;
  /** The guest's memory, once instantiated. */
  memory(): WebAssembly.Memory;
}

type WasiFunction = (...args: never[]) => number | void;

/**
 * Builds the functions for every WASI import `module` declares under
 * `moduleName`; those not implemented answer ENOSYS.
 */
export function wasiImports(
  imports: WebAssembly.ModuleImportDescriptor[],
  moduleName: string,
  options: WasiOptions,
): Record<string, WasiFunction> {
  const implemented = wasiFunctions(options);
  const result: Record<string, WasiFunction> = {};
  for (const entry of imports) {
    if (entry.module !== moduleName || entry.kind !== "function") continue;
    result[entry.name] = implemented[entry.name] ?? (() => ERRNO_NOSYS);
  }
  return result;
}

function wasiFunctions(options: WasiOptions): Record<string, WasiFunction> {
  const view = () => new DataView(options.memory().buffer);
  const bytes = () => new Uint8Array(options.memory().buffer);
  const zeroSizes = (countPtr: number, sizePtr: number) => {
    const memory = view();
    memory.setUint32(countPtr, 0, true);
    memory.setUint32(sizePtr, 0, true);
    return ERRNO_SUCCESS;
  };

  return {
    args_get: () => ERRNO_SUCCESS,
    args_sizes_get: zeroSizes,
    environ_get: () => ERRNO_SUCCESS,
    environ_sizes_get: zeroSizes,
    clock_res_get: (id: number, resolutionPtr: number) => {
      if (id < 0 || id > 3) return ERRNO_INVAL;
      view().setBigUint64(resolutionPtr, 1000n, true);
      return ERRNO_SUCCESS;
    },
    clock_time_get: (id: number, _precision: bigint, timePtr: number) => {
      const time = clockNanoseconds(id);
      if (time === undefined) return ERRNO_INVAL;
      view().setBigUint64(timePtr, time, true);
      return ERRNO_SUCCESS;
    },
    fd_write: (fd: number, iovs: number, count: number, written: number) => {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      const memory = view();
      const chunks: Uint8Array[] = [];
      let total = 0;
      for (let index = 0; index < count; index++) {
        const pointer = memory.getUint32(iovs + index * 8, true);
        const length = memory.getUint32(iovs + index * 8 + 4, true);
        if (pointer + length > memory.byteLength) return ERRNO_FAULT;
        chunks.push(bytes().slice(pointer, pointer + length));
        total += length;
      }
      for (const chunk of chunks) options.onOutput(fd, chunk);
      memory.setUint32(written, total, true);
      return ERRNO_SUCCESS;
    },
    random_get: (pointer: number, length: number) => {
      const memory = bytes();
      if (pointer + length > memory.length) return ERRNO_FAULT;
      for (let offset = 0; offset < length; offset += 65536) {
        const end = Math.min(length, offset + 65536);
        crypto.getRandomValues(
          memory.subarray(pointer + offset, pointer + end),
        );
      }
      return ERRNO_SUCCESS;
    },
    proc_exit: (code: number) => {
      throw new GuestExitError(code);
    },
    sched_yield: () => ERRNO_SUCCESS,
  } as Record<string, WasiFunction>;
}

const started = performance.now();
const startedEpochNs = BigInt(Date.now()) * 1_000_000n;

function clockNanoseconds(id: number): bigint | undefined {
  const elapsedNs = BigInt(Math.round((performance.now() - started) * 1e6));
  switch (id) {
    case 0: // realtime
      return BigInt(Date.now()) * 1_000_000n;
    case 1: // monotonic
      return startedEpochNs + elapsedNs;
    case 2: // process cputime
    case 3: // thread cputime
      return elapsedNs;
    default:
      return undefined;
  }
}
