/** Helpers for outbox tests: files, a sender under the test's control. */
import type { Test } from "uvu";
import { Outbox } from "../leaf/outbox.ts";
import type { OutboxMessage, OutboxSender } from "../leaf/outbox_sender.ts";
import type { OutboxEvent } from "../leaf/outbox_events.ts";
import type { OutboxClockSource } from "../leaf/outbox_options.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** Text of UTF-8 bytes. */
export function text(value: Uint8Array): string {
  return decoder.decode(value);
}

/** A fresh directory; `remove()` deletes it. */
export async function tempDir(): Promise<
  { path: string; remove(): Promise<void> }
> {
  const path = await Deno.makeTempDir({ prefix: "trellis-outbox-" });
  return {
    path,
    remove: () => Deno.remove(path, { recursive: true }).catch(() => {}),
  };
}

/** Resolves after `ms` milliseconds. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves with the first event of `outbox` that `accept` takes; rejects
 * after `timeoutMs`.
 */
export function nextEvent<T extends OutboxEvent["type"]>(
  outbox: Outbox,
  type: T,
  timeoutMs = 5000,
  accept: (event: Extract<OutboxEvent, { type: T }>) => boolean = () => true,
): Promise<Extract<OutboxEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      remove();
      reject(new Error(`No "${type}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    const remove = outbox.on((event) => {
      if (event.type !== type) return;
      const typed = event as Extract<OutboxEvent, { type: T }>;
      if (!accept(typed)) return;
      clearTimeout(timer);
      remove();
      resolve(typed);
    });
  });
}

/** Records every event of `outbox`. */
export function recordEvents(outbox: Outbox): OutboxEvent[] {
  const events: OutboxEvent[] = [];
  outbox.on((event) => events.push(event));
  return events;
}

interface Held {
  message: OutboxMessage;
  confirm(): void;
  fail(error: Error): void;
}

/** A sender whose sends the test confirms or fails one by one. */
export class HeldSender implements OutboxSender {
  /** Every send, in the order made (resends included). */
  readonly sent: OutboxMessage[] = [];
  /** Sends not yet confirmed or failed. */
  readonly held: Held[] = [];
  #waiters: { count: number; wake(): void }[] = [];

  publishConfirmed(message: OutboxMessage): Promise<void> {
    this.sent.push(message);
    return new Promise((resolve, reject) => {
      const held: Held = {
        message,
        confirm: () => this.#settle(held, resolve),
        fail: (error) => this.#settle(held, () => reject(error)),
      };
      this.held.push(held);
      this.#waiters = this.#waiters.filter((waiter) => {
        if (this.sent.length < waiter.count) return true;
        waiter.wake();
        return false;
      });
    });
  }

  /** The held send of the message with payload `payloadText`. */
  find(payloadText: string): Held {
    const held = this.held.find((entry) =>
      text(entry.message.payload) === payloadText
    );
    if (!held) throw new Error(`No held send of "${payloadText}"`);
    return held;
  }

  /** Resolves once `count` sends were made; rejects after `timeoutMs`. */
  untilSent(count: number, timeoutMs = 3000): Promise<void> {
    if (this.sent.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`Expected ${count} sends, got ${this.sent.length}`),
          ),
        timeoutMs,
      );
      this.#waiters.push({
        count,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  #settle(held: Held, settle: () => void): void {
    const index = this.held.indexOf(held);
    if (index >= 0) this.held.splice(index, 1);
    settle();
  }
}

/** A sender that confirms every message at once, recording it. */
export class EagerSender implements OutboxSender {
  readonly sent: OutboxMessage[] = [];

  publishConfirmed(message: OutboxMessage): Promise<void> {
    this.sent.push(message);
    return Promise.resolve();
  }
}

/** Clocks a test moves by hand. */
export class ManualClock implements OutboxClockSource {
  wallMs: number;
  monotonicMs = 0;

  constructor(wallMs: number) {
    this.wallMs = wallMs;
  }

  wall(): number {
    return this.wallMs;
  }

  monotonic(): number {
    return this.monotonicMs;
  }

  /** Time passes: both clocks move. */
  advance(ms: number): void {
    this.wallMs += ms;
    this.monotonicMs += ms;
  }

  /** The wall clock is set: only it moves. */
  step(ms: number): void {
    this.wallMs += ms;
  }
}

/** Outboxes in a fresh directory for each test of a suite. */
export interface OutboxFiles {
  /** Opens the outbox `outbox.db` of the current test's directory. */
  open(options?: Parameters<typeof Outbox.open>[1]): Outbox;
  /** The path of `name` in the current test's directory. */
  file(name: string): string;
}

/**
 * Gives each test of `tests` a fresh directory for its outboxes, and
 * closes the outboxes it opened after it.
 */
export function outboxesFor(tests: Test): OutboxFiles {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const opened: Outbox[] = [];
  tests.before.each(async () => {
    dir = await tempDir();
  });
  tests.after.each(async () => {
    for (const outbox of opened.splice(0)) await outbox.close();
    await dir.remove();
  });
  const file = (name: string) => `${dir.path}/${name}`;
  return {
    open(options = {}) {
      const outbox = Outbox.open(file("outbox.db"), options);
      opened.push(outbox);
      return outbox;
    },
    file,
  };
}

/** Enqueues `texts` together on `telemetry.t`. */
export async function enqueueTexts(
  outbox: Outbox,
  texts: string[],
): Promise<void> {
  await Promise.all(
    texts.map((payload) => outbox.enqueue("telemetry.t", bytes(payload))),
  );
}

/** `count` texts `m<n>`, numbered from `from`. */
export function numbered(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, index) => `m${from + index}`);
}
