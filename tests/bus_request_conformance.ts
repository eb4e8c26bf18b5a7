/**
 * The request/reply part of the bus conformance suite: answers, first
 * answer wins, no responders, timeouts.
 */
import * as assert from "uvu/assert";
import {
  type BusMessage,
  NoRespondersError,
  RequestTimeoutError,
} from "../runtime/bus.ts";
import type { BusTestAdder } from "./bus_conformance.ts";
import { bytes, pause, Recorder, text } from "./bus_recorder.ts";
import { rejects } from "./rejects.ts";

/** Registers the request/reply tests with `test`. */
export function busRequestConformance(test: BusTestAdder): void {
  test("answers a request with the responder's reply", async (t) => {
    t.bus.subscribe(t.subject("echo"), (message) => {
      message.respond(bytes(`re: ${text(message.payload)}`), {
        headers: { Status: "ok" },
      });
    });

    const reply = await t.bus.request(t.subject("echo"), bytes("ping"), {
      timeoutMs: 2000,
      headers: { Asked: "yes" },
    });
    assert.is(text(reply.payload), "re: ping");
    assert.equal(reply.headers?.Status, ["ok"]);
  });

  test("passes request headers to the responder", async (t) => {
    let seen: BusMessage | undefined;
    t.bus.subscribe(t.subject("headers"), (message) => {
      seen = message;
      message.respond(new Uint8Array());
    });

    await t.bus.request(t.subject("headers"), bytes("q"), {
      timeoutMs: 2000,
      headers: { Asked: ["a", "b"] },
    });
    assert.equal(seen?.headers?.Asked, ["a", "b"]);
    assert.type(seen?.reply, "string");
  });

  test("resolves a request with the first of several replies", async (t) => {
    for (const name of ["fast", "slow"]) {
      t.bus.subscribe(t.subject("many"), async (message) => {
        if (name === "slow") await pause(20);
        message.respond(bytes(name));
      });
    }

    const reply = await t.bus.request(t.subject("many"), bytes(""), {
      timeoutMs: 2000,
    });
    assert.is(text(reply.payload), "fast");
  });

  test("rejects a request nobody subscribes to", async (t) => {
    const started = performance.now();
    const error = await rejects(
      () => t.bus.request(t.subject("nobody"), bytes("?"), { timeoutMs: 5000 }),
      /^Cannot request "conformance\.[^"]+\.nobody": no responders$/,
    );
    assert.instance(error, NoRespondersError);
    assert.is((error as NoRespondersError).subject, t.subject("nobody"));
    assert.ok(performance.now() - started < 2000, "waited for the timeout");
  });

  test("rejects a request nobody answers in time", async (t) => {
    t.bus.subscribe(t.subject("mute"), () => {});

    const started = performance.now();
    const error = await rejects(
      () => t.bus.request(t.subject("mute"), bytes("?"), { timeoutMs: 50 }),
      /^Cannot request "conformance\.[^"]+\.mute": no reply within 50 ms$/,
    );
    assert.instance(error, RequestTimeoutError);
    assert.is((error as RequestTimeoutError).timeoutMs, 50);
    assert.ok(performance.now() - started >= 45, "rejected too early");
  });

  test("refuses a request timeout that is not positive", async (t) => {
    t.bus.subscribe(t.subject("t"), (message) => message.respond(bytes("")));
    for (const timeoutMs of [0, -1, Number.NaN, Infinity]) {
      const error = await rejects(
        () => t.bus.request(t.subject("t"), bytes(""), { timeoutMs }),
        /^Cannot request "[^"]+": timeout .* ms is not between/,
      );
      assert.instance(error, RangeError);
    }
  });

  test("respond returns false when there is no reply subject", async (t) => {
    const recorder = new Recorder();
    t.bus.subscribe(t.subject("noreply"), recorder.handler);
    t.bus.publish(t.subject("noreply"), bytes("x"));

    const [message] = await recorder.until(1);
    assert.is(message.respond(bytes("y")), false);
  });
}
