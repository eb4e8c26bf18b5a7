/**
 * The minimal WASI preview1 context a guest gets (spec §1): output on
 * stdout and stderr, an empty stdin, clocks, randomness, `proc_exit`
 * ending the call, no arguments, no environment, no preopened directories.
 * Every other preview1 function answers ENOSYS. `wasi_unstable` (preview0)
 * gets the same: its functions have the same names and signatures, less
 * `sock_accept`.
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

const FILETYPE_CHARACTER_DEVICE = 2;
const RIGHT_FD_READ = 1n << 1n;
const RIGHT_FD_WRITE = 1n << 6n;
const FDSTAT_BYTES = 24;

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
  const result: Record<string, WasiFunction> = Object.create(null);
  for (const entry of imports) {
    if (entry.module !== moduleName || entry.kind !== "function") continue;
    result[entry.name] = Object.hasOwn(implemented, entry.name)
      ? implemented[entry.name]
      : () => ERRNO_NOSYS;
  }
  return result;
}

/**
 * The guest's memory, bounds-checked: a pointer or length past the end
 * makes the call answer EFAULT instead of throwing. Pointers and lengths
 * arrive as signed i32 and are read as unsigned.
 */
class GuestMemory {
  constructor(readonly memory: () => WebAssembly.Memory) {}

  /** The bytes at `pointer`, or undefined when they lie past the end. */
  bytes(pointer: number, length: number): Uint8Array | undefined {
    const { buffer } = this.memory();
    const start = pointer >>> 0;
    const size = length >>> 0;
    if (start + size > buffer.byteLength) return undefined;
    return new Uint8Array(buffer, start, size);
  }

  /** A view of the bytes at `pointer`, or undefined past the end. */
  view(pointer: number, length: number): DataView | undefined {
    const region = this.bytes(pointer, length);
    return region && new DataView(region.buffer, region.byteOffset, length);
  }

  /** Copies of the buffers an iovec array names, or undefined. */
  gather(iovs: number, count: number): Uint8Array[] | undefined {
    const list = this.view(iovs, (count >>> 0) * 8);
    if (!list) return undefined;
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < list.byteLength; offset += 8) {
      const chunk = this.bytes(
        list.getUint32(offset, true),
        list.getUint32(offset + 4, true),
      );
      if (!chunk) return undefined;
      chunks.push(chunk.slice());
    }
    return chunks;
  }
}

function wasiFunctions(options: WasiOptions): Record<string, WasiFunction> {
  const memory = new GuestMemory(options.memory);
  return {
    ...processFunctions(memory),
    ...clockFunctions(memory),
    ...streamFunctions(memory, options.onOutput),
    random_get: (pointer: number, length: number) => {
      const region = memory.bytes(pointer, length);
      if (!region) return ERRNO_FAULT;
      for (let offset = 0; offset < region.length; offset += 65536) {
        crypto.getRandomValues(region.subarray(offset, offset + 65536));
      }
      return ERRNO_SUCCESS;
    },
  } as Record<string, WasiFunction>;
}

/** No arguments, no environment; exit ends the call. */
function processFunctions(memory: GuestMemory) {
  const zeroSizes = (countPointer: number, sizePointer: number) => {
    const count = memory.view(countPointer, 4);
    const size = memory.view(sizePointer, 4);
    if (!count || !size) return ERRNO_FAULT;
    count.setUint32(0, 0, true);
    size.setUint32(0, 0, true);
    return ERRNO_SUCCESS;
  };
  return {
    args_get: () => ERRNO_SUCCESS,
    args_sizes_get: zeroSizes,
    environ_get: () => ERRNO_SUCCESS,
    environ_sizes_get: zeroSizes,
    proc_exit: (code: number) => {
      throw new GuestExitError(code);
    },
    sched_yield: () => ERRNO_SUCCESS,
  };
}

function clockFunctions(memory: GuestMemory) {
  return {
    clock_res_get: (id: number, resolutionPointer: number) => {
      if (clockNanoseconds(id) === undefined) return ERRNO_INVAL;
      const resolution = memory.view(resolutionPointer, 8);
      if (!resolution) return ERRNO_FAULT;
      resolution.setBigUint64(0, 1000n, true);
      return ERRNO_SUCCESS;
    },
    clock_time_get: (id: number, _precision: bigint, timePointer: number) => {
      const time = clockNanoseconds(id);
      if (time === undefined) return ERRNO_INVAL;
      const target = memory.view(timePointer, 8);
      if (!target) return ERRNO_FAULT;
      target.setBigUint64(0, time, true);
      return ERRNO_SUCCESS;
    },
  };
}

/**
 * Descriptors 0 to 2 are character devices: stdin is empty, stdout and
 * stderr go to `onOutput`. No other descriptor exists, so nothing is
 * preopened: `fd_prestat_get` answers EBADF, which is how a guest's libc
 * learns that (ENOSYS would make some abort at start).
 */
function streamFunctions(
  memory: GuestMemory,
  onOutput: WasiOptions["onOutput"],
) {
  return {
    fd_write: (fd: number, iovs: number, count: number, written: number) => {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      const chunks = memory.gather(iovs, count);
      const total = memory.view(written, 4);
      if (!chunks || !total) return ERRNO_FAULT;
      for (const chunk of chunks) onOutput(fd, chunk);
      const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
      total.setUint32(0, length, true);
      return ERRNO_SUCCESS;
    },
    fd_read: (fd: number, _iovs: number, _count: number, read: number) => {
      if (fd !== 0) return ERRNO_BADF;
      const total = memory.view(read, 4);
      if (!total) return ERRNO_FAULT;
      total.setUint32(0, 0, true);
      return ERRNO_SUCCESS;
    },
    fd_fdstat_get: (fd: number, pointer: number) => {
      if (fd < 0 || fd > 2) return ERRNO_BADF;
      const stat = memory.view(pointer, FDSTAT_BYTES);
      if (!stat) return ERRNO_FAULT;
      new Uint8Array(stat.buffer, stat.byteOffset, FDSTAT_BYTES).fill(0);
      stat.setUint8(0, FILETYPE_CHARACTER_DEVICE);
      stat.setBigUint64(8, fd === 0 ? RIGHT_FD_READ : RIGHT_FD_WRITE, true);
      return ERRNO_SUCCESS;
    },
    fd_prestat_get: () => ERRNO_BADF,
  };
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
