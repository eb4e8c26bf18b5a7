/** Helpers for bus tests: a recording handler, text and timing. */
import type { BusMessage } from "../runtime/bus.ts";

/** UTF-8 bytes of `value`. */
export function bytes(value: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(value);
}

/** Text of UTF-8 bytes. */
export function text(value: Uint8Array): string {
  return new TextDecoder().decode(value);
}

/**
 * Resolves after `ms` milliseconds: the time a test gives messages that
 * must not arrive to show up anyway.
 */
export function pause(ms = 30): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Records the messages handed to `handler`. */
export class Recorder {
  readonly messages: BusMessage[] = [];
  #waiters: { count: number; wake(): void }[] = [];

  readonly handler = (message: BusMessage): void => {
    this.messages.push(message);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.messages.length < waiter.count) return true;
      waiter.wake();
      return false;
    });
  };

  /** Payloads as text, in arrival order. */
  texts(): string[] {
    return this.messages.map((message) => text(message.payload));
  }

  /**
   * Resolves with the messages once `count` have arrived; rejects after
   * `timeoutMs` with how many did.
   */
  until(count: number, timeoutMs = 3000): Promise<BusMessage[]> {
    if (this.messages.length >= count) {
      return Promise.resolve(this.messages);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `Expected ${count} messages within ${timeoutMs} ms, got ` +
              `${this.messages.length}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.push({
        count,
        wake: () => {
          clearTimeout(timer);
          resolve(this.messages);
        },
      });
    });
  }
}
