/**
 * Assertions on connecting a `NatsBus` with given options: that it
 * connects and a request makes the round trip, or that it is refused.
 * Neither reconnects, so a refusal arrives at once.
 */
import * as assert from "uvu/assert";
import { connectNatsBus } from "../leaf/nats_bus.ts";
import type { NatsBusOptions } from "../leaf/nats_options.ts";
import { bytes, text } from "./bus_recorder.ts";
import { rejects } from "./rejects.ts";

/** Connects, answers its own request on `check.echo` and closes. */
export async function assertRoundTrip(options: NatsBusOptions): Promise<void> {
  const bus = await connectNatsBus({ ...options, reconnect: false });
  try {
    bus.subscribe("check.echo", (message) => message.respond(message.payload));
    const reply = await bus.request("check.echo", bytes("in"), {
      timeoutMs: 2000,
    });
    assert.is(text(reply.payload), "in");
  } finally {
    await bus.close();
  }
}

/** Fails to connect, with an error whose message matches `pattern`. */
export async function assertRefused(
  options: NatsBusOptions,
  pattern: RegExp,
): Promise<void> {
  await rejects(
    () => connectNatsBus({ ...options, reconnect: false }),
    pattern,
  );
}
