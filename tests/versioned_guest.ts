/**
 * A guest for live-update and pool tests: each build replies its own
 * text, and may fail in the ways an update must survive.
 */
import { wat } from "./wat.ts";

/** How a build of the guest behaves besides its reply. */
export interface GuestBuild {
  /** What every operation but `HealthRequest` replies. */
  reply: string;
  /**
   * WebAssembly text run before the reply on `HealthRequest`, and on any
   * other operation starting with `H` (such as `HandleRequest`).
   */
  health?: string;
  /** Adds a `_start` that traps. */
  trapInStart?: boolean;
  /** Adds an import the host does not provide. */
  unknownImport?: boolean;
}

/** `HealthRequest` traps. */
export const HEALTH_TRAPS = "unreachable";
/** `HealthRequest` loops until its deadline stops it. */
export const HEALTH_LOOPS = "(loop $forever (br $forever))";
/** `HealthRequest` answers with a guest error. */
export const HEALTH_FAILS = `(call $error (i32.const 0) (i32.const 1))
  (return (i32.const 0))`;

/** The capability id the `Wait` operation calls before it replies. */
export const HELD_CAPABILITY = "test:held";

/**
 * A guest replying `build.reply`, unsigned. An operation starting with
 * `W` first calls {@linkcode HELD_CAPABILITY} (default binding) and
 * replies once that call returns.
 */
export function versionedGuest(
  build: GuestBuild,
): Promise<Uint8Array<ArrayBuffer>> {
  const length = new TextEncoder().encode(build.reply).length;
  if (length > 256 || build.reply.includes('"')) {
    throw new RangeError(`Cannot build a guest replying "${build.reply}"`);
  }
  return wat(`(module
    (import "wapc" "__guest_request" (func $request (param i32 i32)))
    (import "wapc" "__guest_response" (func $response (param i32 i32)))
    (import "wapc" "__guest_error" (func $error (param i32 i32)))
    (import "wapc" "__host_call"
      (func $call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
    ${build.unknownImport ? '(import "wapc" "__missing" (func))' : ""}
    (memory (export "memory") 1)
    (data (i32.const 0) "${build.reply}")
    (data (i32.const 512) "${HELD_CAPABILITY}")
    (data (i32.const 544) "Wait")
    ${build.trapInStart ? '(func (export "_start") unreachable)' : ""}
    (func (export "__guest_call") (param i32 i32) (result i32)
      (local $op i32)
      (call $request (i32.const 1024) (i32.const 2048))
      (local.set $op (i32.load8_u (i32.const 1024)))
      (if (i32.eq (local.get $op) (i32.const 72)) ;; H
        (then ${build.health ?? ""}))
      (if (i32.eq (local.get $op) (i32.const 87)) ;; W
        (then (drop (call $call
          (i32.const 0) (i32.const 0)
          (i32.const 512) (i32.const ${HELD_CAPABILITY.length})
          (i32.const 544) (i32.const 4)
          (i32.const 0) (i32.const 0)))))
      (call $response (i32.const 0) (i32.const ${length}))
      (i32.const 1)))`);
}
