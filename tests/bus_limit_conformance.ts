/**
 * The limits part of the bus conformance suite: payload size, and the
 * subjects, queue names and headers every bus refuses.
 */
import * as assert from "uvu/assert";
import type { BusHeadersInit } from "../runtime/bus.ts";
import type { BusTestAdder } from "./bus_conformance.ts";
import { bytes } from "./bus_recorder.ts";
import { rejects } from "./rejects.ts";

/** Registers the limit tests with `test`. */
export function busLimitConformance(test: BusTestAdder): void {
  test("refuses a payload above the maximum, naming both sizes", (t) => {
    const limit = t.bus.maxPayload;
    const subject = t.subject("big");
    t.bus.publish(subject, new Uint8Array(limit));

    assert.throws(
      () => t.bus.publish(subject, new Uint8Array(limit + 1)),
      (error: Error) =>
        error instanceof RangeError &&
        error.message === `Cannot publish to "${subject}": payload of ` +
            `${limit + 1} bytes exceeds the limit of ${limit} bytes`,
    );
    return Promise.resolve();
  });

  test("counts headers towards the maximum payload", async (t) => {
    const limit = t.bus.maxPayload;
    const subject = t.subject("big");
    assert.throws(
      () =>
        t.bus.publish(subject, new Uint8Array(limit - 10), {
          headers: { Name: "value" },
        }),
      /payload of \d+ bytes and headers of 25 bytes exceed the limit/,
    );
    await rejects(
      () =>
        t.bus.request(subject, new Uint8Array(limit + 1), { timeoutMs: 100 }),
      /^Cannot request "[^"]+": payload of \d+ bytes exceeds the limit/,
    );
  });

  test("refuses invalid subjects with a TypeError", async (t) => {
    const bad = ["", "a..b", ".a", "a.", "a b", "a\tb", "a\nb", "a*b", "a.>b"];
    for (const subject of bad) {
      assert.throws(
        () => t.bus.publish(subject, bytes("")),
        (error: Error) =>
          error instanceof TypeError &&
          error.message.startsWith(`Cannot publish to "${subject}": `),
        `publish ${JSON.stringify(subject)}`,
      );
      assert.throws(
        () => t.bus.subscribe(subject, () => {}),
        (error: Error) =>
          error instanceof TypeError &&
          error.message.startsWith(`Cannot subscribe to "${subject}": `),
        `subscribe ${JSON.stringify(subject)}`,
      );
      await rejects(
        () => t.bus.request(subject, bytes(""), { timeoutMs: 100 }),
        /^Cannot request /,
      );
    }
  });

  test("refuses wildcards outside subscriptions", async (t) => {
    for (const subject of ["a.*", ">", "a.>", "*.b"]) {
      assert.throws(
        () => t.bus.publish(subject, bytes("")),
        /wildcards are only for subscriptions/,
      );
      assert.throws(
        () => t.bus.publish(t.subject("x"), bytes(""), { reply: subject }),
        /wildcards are only for subscriptions/,
      );
      await rejects(
        () => t.bus.request(subject, bytes(""), { timeoutMs: 100 }),
        /wildcards are only for subscriptions/,
      );
    }
    assert.throws(
      () => t.bus.subscribe("a.>.b", () => {}),
      /^Cannot subscribe to "a\.>\.b": ">" must be the last token$/,
    );
  });

  test("refuses invalid queue names and headers", (t) => {
    for (const queue of ["", "a b", "q*", "q>"]) {
      assert.throws(
        () => t.bus.subscribe(t.subject("q"), () => {}, { queue }),
        (error: Error) =>
          error instanceof TypeError && /queue group/.test(error.message),
        `queue ${JSON.stringify(queue)}`,
      );
    }
    const headers: BusHeadersInit[] = [{ "": "v" }, { "a b": "v" }, {
      "a:b": "v",
    }, {
      A: "line\r\nbreak",
    }];
    for (const header of headers) {
      assert.throws(
        () => t.bus.publish(t.subject("h"), bytes(""), { headers: header }),
        (error: Error) =>
          error instanceof TypeError && /header/.test(error.message),
        `header ${JSON.stringify(header)}`,
      );
    }
    return Promise.resolve();
  });
}
