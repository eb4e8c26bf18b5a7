/**
 * A minimal synchronous waPC host (spec §1) that proves how actors use the
 * ABI. It is not the runtime's host: no claims, no deadlines, no WASI.
 */

/** What a host call answers: a response, or an error text. */
export type HostCallOutcome = { response: Uint8Array } | { error: string };

/** Handles the guest's `__host_call`. */
export type HostCallHandler = (
  binding: string,
  namespace: string,
  operation: string,
  payload: Uint8Array,
) => HostCallOutcome;

/** The outcome of one guest call: a response, or the guest error. */
export interface GuestReply {
  ok: boolean;
  response?: Uint8Array;
  error?: string;
}

/** A started guest. */
export interface TinyGuest {
  /** Runs one operation; a trap throws `WebAssembly.RuntimeError`. */
  call(operation: string, payload: Uint8Array): GuestReply;
  /** The lines the guest sent to `__console_log`. */
  logs: string[];
  /** The current size of the guest's memory in bytes. */
  memoryBytes(): number;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

const noHostCalls: HostCallHandler = () => ({
  error: "host calls are not supported here",
});

/**
 * Instantiates `bytes` with the `wapc` imports, then calls `_start` and
 * `wapc_init` when the guest exports them.
 */
export async function startGuest(
  bytes: Uint8Array<ArrayBuffer>,
  hostCall: HostCallHandler = noHostCalls,
): Promise<TinyGuest> {
  let memory: WebAssembly.Memory | undefined = undefined;
  const view = () => new Uint8Array(memory!.buffer);
  const read = (ptr: number, len: number) => view().slice(ptr, ptr + len);
  const readText = (ptr: number, len: number) =>
    fromUtf8.decode(read(ptr, len));

  const empty: Uint8Array = new Uint8Array();
  let operation = empty;
  let payload = empty;
  let response: Uint8Array | undefined;
  let error: string | undefined;
  let hostResponse = empty;
  let hostError = empty;
  const logs: string[] = [];

  const wapc = {
    __guest_request(operationPtr: number, payloadPtr: number) {
      view().set(operation, operationPtr);
      view().set(payload, payloadPtr);
    },
    __guest_response(ptr: number, len: number) {
      response = read(ptr, len);
    },
    __guest_error(ptr: number, len: number) {
      error = readText(ptr, len);
    },
    __host_call(...args: number[]) {
      const [bd, bdLen, ns, nsLen, op, opLen, ptr, len] = args;
      hostResponse = hostError = empty;
      const outcome = hostCall(
        readText(bd, bdLen),
        readText(ns, nsLen),
        readText(op, opLen),
        read(ptr, len),
      );
      if ("error" in outcome) hostError = utf8.encode(outcome.error);
      else hostResponse = outcome.response;
      return "error" in outcome ? 0 : 1;
    },
    __host_response_len: () => hostResponse.length,
    __host_response(ptr: number) {
      view().set(hostResponse, ptr);
    },
    __host_error_len: () => hostError.length,
    __host_error(ptr: number) {
      view().set(hostError, ptr);
    },
    __console_log(ptr: number, len: number) {
      logs.push(readText(ptr, len));
    },
  };

  const { instance } = await WebAssembly.instantiate(bytes, { wapc });
  const exports = instance.exports as Record<string, unknown>;
  memory = exports.memory as WebAssembly.Memory;
  for (const name of ["_start", "wapc_init"]) {
    if (typeof exports[name] === "function") (exports[name] as () => void)();
  }
  const guestCall = exports.__guest_call as (a: number, b: number) => number;

  return {
    logs,
    memoryBytes: () => memory!.buffer.byteLength,
    call(name, message) {
      operation = utf8.encode(name);
      payload = message;
      response = error = undefined;
      const ok = guestCall(operation.length, payload.length);
      return ok ? { ok: true, response } : { ok: false, error };
    },
  };
}
