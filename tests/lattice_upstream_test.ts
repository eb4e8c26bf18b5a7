/**
 * What a lattice member does with its bus's upstream state: heartbeats
 * carry it, and a cloud lost behind a link that stayed up (a leaf node's
 * hub gone) is joined again when it returns.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type {
  LinkEvent,
  LinkState,
  UpstreamEvent,
  UpstreamState,
} from "../runtime/link.ts";
import { LoopbackBus } from "../runtime/loopback_bus.ts";
import { readCloudEvent } from "../runtime/lattice_events.ts";
import { latticeHost, settle } from "./lattice_harness.ts";

/** A loopback bus whose link and upstream states the test sets. */
class SwitchedBus extends LoopbackBus {
  state: LinkState = "up";
  upstream: UpstreamState = "up";
  readonly #link = new Set<(event: LinkEvent) => void>();
  readonly #upstream = new Set<(event: UpstreamEvent) => void>();

  onLink(listener: (event: LinkEvent) => void): () => void {
    this.#link.add(listener);
    return () => this.#link.delete(listener);
  }

  onUpstream(listener: (event: UpstreamEvent) => void): () => void {
    this.#upstream.add(listener);
    return () => this.#upstream.delete(listener);
  }

  setLink(state: LinkState): void {
    this.state = state;
    for (const listener of this.#link) listener({ state });
    this.setUpstream(state);
  }

  // Like a link bus, tells only changes.
  setUpstream(state: UpstreamState): void {
    if (state === this.upstream) return;
    this.upstream = state;
    for (const listener of this.#upstream) listener({ state });
  }
}

const upstream = suite("Lattice upstream");

upstream(
  "beats with the upstream state and rejoins when the cloud returns",
  async () => {
    const bus = new SwitchedBus();
    const events: { name: string; fields: Record<string, unknown> }[] = [];
    bus.subscribe("wasmbus.events", (message) => {
      const event = readCloudEvent(message.payload);
      if (event) events.push(event);
    });
    const member = await latticeHost(bus, { heartbeatMs: 60_000 });
    try {
      await settle();
      const beats = () =>
        events.filter((event) => event.name === "HostHeartbeat");
      assert.equal(
        beats().map(({ fields }) => [fields.link, fields.upstream]),
        [["up", "up"]],
      );

      bus.setUpstream("down");
      bus.setUpstream("up");
      await settle();
      assert.is(beats().length, 2, "joined again when the cloud returned");
      const started = events.filter((event) => event.name === "HostStarted");
      assert.is(started.length, 2);

      // Back after the link itself was down too: one rejoin, for the link.
      bus.setUpstream("down");
      bus.setLink("down");
      bus.setLink("up");
      await settle();
      assert.is(beats().length, 3);
      bus.setUpstream("unknown");
      bus.setUpstream("up");
      await settle();
      assert.is(beats().length, 3, "unknown is no loss of the cloud");
    } finally {
      await member.stop();
      await bus.close();
    }
  },
);

upstream.run();
