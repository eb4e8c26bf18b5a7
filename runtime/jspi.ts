/**
 * Types for JavaScript Promise Integration (JSPI), which Deno ships but
 * TypeScript's library does not describe yet.
 *
 * @module
 */

declare global {
  namespace WebAssembly {
    /** Wraps an import so a Promise it returns suspends the guest. */
    class Suspending {
      // deno-lint-ignore no-explicit-any
      constructor(fn: (...args: any[]) => unknown);
    }
    /** Wraps an export so the guest may suspend; it returns a Promise. */
    // deno-lint-ignore no-explicit-any
    function promising<A extends any[], R>(
      fn: (...args: A) => R,
    ): (...args: A) => Promise<R>;
  }
}

export {};
