/**
 * The subscription half of the bus conformance suite: ending
 * subscriptions by unsubscribe, by count and by drain.
 */
import * as assert from "uvu/assert";
import type { BusTestAdder } from "./bus_conformance.ts";
import { bytes, pause, Recorder, text } from "./bus_recorder.ts";

/** Registers the subscription tests with `test`. */
export function busSubscriptionConformance(test: BusTestAdder): void {
  test("stops delivering once unsubscribed", async (t) => {
    const gone = new Recorder();
    const witness = new Recorder();
    const subscription = t.bus.subscribe(t.subject("u"), gone.handler);
    t.bus.subscribe(t.subject("u"), witness.handler);
    t.bus.publish(t.subject("u"), bytes("1"));
    await gone.until(1);
    subscription.unsubscribe();
    t.bus.publish(t.subject("u"), bytes("2"));

    await witness.until(2);
    await pause();
    assert.equal(gone.texts(), ["1"]);
    await subscription.closed;
    subscription.unsubscribe();
  });

  test("drops messages not yet handled when unsubscribed", async (t) => {
    const handled: string[] = [];
    const subscription = t.bus.subscribe(t.subject("drop"), async (message) => {
      handled.push(text(message.payload));
      subscription.unsubscribe();
      await pause(1);
    });
    for (const name of ["1", "2", "3"]) {
      t.bus.publish(t.subject("drop"), bytes(name));
    }

    await subscription.closed;
    await pause();
    assert.equal(handled, ["1"]);
  });

  test("ends a subscription after max messages", async (t) => {
    const recorder = new Recorder();
    const witness = new Recorder();
    const subscription = t.bus.subscribe(t.subject("max"), recorder.handler, {
      max: 3,
    });
    t.bus.subscribe(t.subject("max"), witness.handler);
    for (let index = 0; index < 5; index++) {
      t.bus.publish(t.subject("max"), bytes(String(index)));
    }

    await subscription.closed;
    await witness.until(5);
    await pause();
    assert.equal(recorder.texts(), ["0", "1", "2"]);
    assert.is(subscription.received, 3);
  });

  test("unsubscribe(max) counts the messages already received", async (t) => {
    const recorder = new Recorder();
    const subscription = t.bus.subscribe(t.subject("later"), recorder.handler);
    t.bus.publish(t.subject("later"), bytes("0"));
    await recorder.until(1);
    subscription.unsubscribe(3);
    for (let index = 1; index < 6; index++) {
      t.bus.publish(t.subject("later"), bytes(String(index)));
    }

    await subscription.closed;
    await pause();
    assert.equal(recorder.texts(), ["0", "1", "2"]);
  });

  test("unsubscribe(max) below the count received ends it", async (t) => {
    const recorder = new Recorder();
    const subscription = t.bus.subscribe(t.subject("past"), recorder.handler);
    t.bus.publish(t.subject("past"), bytes("0"));
    t.bus.publish(t.subject("past"), bytes("1"));
    await recorder.until(2);
    subscription.unsubscribe(1);

    await subscription.closed;
    t.bus.publish(t.subject("past"), bytes("2"));
    await pause();
    assert.equal(recorder.texts(), ["0", "1"]);
  });

  test("refuses a max that is not a positive integer", (t) => {
    for (const max of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => t.bus.subscribe(t.subject("m"), () => {}, { max }),
        (error: Error) =>
          error instanceof RangeError &&
          error.message ===
            `Cannot subscribe to "${t.subject("m")}": max ${max} is not a ` +
              `positive integer`,
      );
    }
    const subscription = t.bus.subscribe(t.subject("m"), () => {});
    assert.throws(() => subscription.unsubscribe(0), RangeError);
    subscription.unsubscribe();
    return Promise.resolve();
  });

  test("drains a subscription after what it received", async (t) => {
    const handled: string[] = [];
    const witness = new Recorder();
    const subscription = t.bus.subscribe(t.subject("sd"), async (message) => {
      await pause(2);
      handled.push(text(message.payload));
    });
    t.bus.subscribe(t.subject("sd"), witness.handler);
    for (const name of ["1", "2"]) t.bus.publish(t.subject("sd"), bytes(name));
    await witness.until(2);

    await subscription.drain();
    assert.equal(handled, ["1", "2"]);
    t.bus.publish(t.subject("sd"), bytes("3"));
    await witness.until(3);
    await pause();
    assert.equal(handled, ["1", "2"]);
  });

  test("reports the subject, queue and count received", async (t) => {
    const recorder = new Recorder();
    const subscription = t.bus.subscribe(t.subject("r.*"), recorder.handler, {
      queue: "readers",
    });
    t.bus.publish(t.subject("r.a"), bytes(""));
    t.bus.publish(t.subject("r.b"), bytes(""));

    await recorder.until(2);
    assert.is(subscription.subject, t.subject("r.*"));
    assert.is(subscription.queue, "readers");
    assert.is(subscription.received, 2);
    assert.is(t.bus.subscribe(t.subject("x"), () => {}).queue, undefined);
  });
}
