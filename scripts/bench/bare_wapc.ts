/**
 * The baseline for invocations: a bare waPC loop in the same process,
 * calling the uninstrumented module synchronously with the smallest
 * possible host imports.
 */

/** A synchronous waPC caller over one instance. */
export function bareWapc(bytes: Uint8Array<ArrayBuffer>) {
  const module = new WebAssembly.Module(bytes);
  let operation: Uint8Array = new Uint8Array();
  let payload: Uint8Array = new Uint8Array();
  let response: Uint8Array | undefined;
  const noop = () => 0;
  const memory = () => instance.exports.memory as WebAssembly.Memory;
  const wasi: Record<string, () => number> = {};
  for (const entry of WebAssembly.Module.imports(module)) {
    if (entry.module !== "wapc") wasi[entry.name] = noop;
  }
  const instance = new WebAssembly.Instance(module, {
    wapc: {
      __guest_request: (opPointer: number, payloadPointer: number) => {
        const view = new Uint8Array(memory().buffer);
        view.set(operation, opPointer);
        view.set(payload, payloadPointer);
      },
      __guest_response: (pointer: number, length: number) => {
        response = new Uint8Array(memory().buffer, pointer, length).slice();
      },
      __guest_error: noop,
      __host_call: noop,
      __host_response_len: noop,
      __host_response: noop,
      __host_error_len: noop,
      __host_error: noop,
      __console_log: noop,
    },
    wasi_snapshot_preview1: wasi,
    wasi_unstable: wasi,
  });
  for (const name of ["_start", "wapc_init"]) {
    const start = instance.exports[name];
    if (typeof start === "function") start();
  }
  const guestCall = instance.exports.__guest_call as (
    opLength: number,
    payloadLength: number,
  ) => number;
  return (op: string, bytes: Uint8Array): Uint8Array => {
    operation = new TextEncoder().encode(op);
    payload = bytes;
    response = undefined;
    if (guestCall(operation.length, bytes.length) === 0 || !response) {
      throw new Error(`Bare call "${op}" failed`);
    }
    return response;
  };
}
