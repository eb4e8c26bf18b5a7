/**
 * Upstream awareness on its own: the leaf monitor probe against real
 * servers, the upstream state a link bus derives from its link and probe,
 * and an outbox that sends only while the upstream is not down.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { LinkBus } from "../leaf/link_bus.ts";
import { LinkUpstream } from "../leaf/link_upstream.ts";
import { connectNatsBus } from "../leaf/nats_bus.ts";
import { Outbox } from "../leaf/outbox.ts";
import { sendWhileLinked } from "../leaf/outbox_link.ts";
import {
  LeafMonitorProbe,
  type UpstreamProbe,
} from "../leaf/upstream_probe.ts";
import { LATTICE_FLAGS, parseLatticeFlags } from "../runtime/cli_lattice.ts";
import { parseFlags, UsageError } from "../runtime/flags.ts";
import type { UpstreamEvent } from "../runtime/link.ts";
import { startBridge } from "./leaf_servers.ts";
import { freePort, startNatsServer } from "./nats_server.ts";
import { bytes, nextEvent, pause, tempDir } from "./outbox_harness.ts";

/** A probe whose findings the test sets. */
class SetProbe implements UpstreamProbe {
  last?: UpstreamEvent;
  refreshed = 0;
  closed = false;
  readonly #listeners = new Set<(event: UpstreamEvent) => void>();

  set(event: UpstreamEvent): void {
    this.last = event;
    for (const listener of this.#listeners) listener(event);
  }

  onChange(listener: (event: UpstreamEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  refresh(): void {
    this.refreshed++;
  }

  close(): void {
    this.closed = true;
  }
}

async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) {
      throw new Error(`Not ${what} within ${timeoutMs} ms`);
    }
    await pause(20);
  }
}

const probe = suite("LeafMonitorProbe");

probe(
  "finds the leaf's link to the hub up, then down when the hub stops",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "trellis-probe-" });
    const bridge = await startBridge(dir, {
      device: (leaf) => ({ hub: `nats-leaf://${leaf}` }),
      hub: (leaf) => ({ hub: `nats-leaf://${leaf}` }),
    });
    const leafProbe = new LeafMonitorProbe({
      url: bridge.monitorUrl,
      intervalMs: 100,
    });
    try {
      const up = await leafProbe.check();
      assert.is(up.state, "up");
      assert.match(up.server ?? "", /^127\.0\.0\.1:\d+$/);
      const seen: string[] = [];
      leafProbe.onChange((event) => seen.push(event.state));
      await bridge.stopHub();
      await until(() => leafProbe.state === "down", "down");
      assert.is(leafProbe.last?.reason, "the leaf node has no link to the hub");
      await bridge.startHub();
      await until(() => leafProbe.state === "up", "up again", 10_000);
      assert.equal(seen.slice(-2), ["down", "up"]);
    } finally {
      leafProbe.close();
      await bridge.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

probe("is unknown when the monitor does not answer", async () => {
  const url = `http://127.0.0.1:${freePort()}`;
  const leafProbe = new LeafMonitorProbe({ url, intervalMs: 100 });
  try {
    const found = await leafProbe.check();
    assert.is(found.state, "unknown");
    assert.match(found.reason ?? "", `Cannot read "${url}/leafz": `);
  } finally {
    leafProbe.close();
  }
});

probe("is unknown on a server that is no leaf of anything", async () => {
  const port = freePort();
  const server = await startNatsServer({ args: ["-m", String(port)] });
  const leafProbe = new LeafMonitorProbe({ url: `http://127.0.0.1:${port}/` });
  try {
    assert.equal(await leafProbe.check(), {
      state: "unknown",
      reason: "the server has no leaf remotes",
    });
  } finally {
    leafProbe.close();
    await server.stop();
  }
});

probe("refuses a URL that is not plain http", () => {
  assert.throws(
    () => new LeafMonitorProbe({ url: "nats://127.0.0.1:8222" }),
    /^Invalid leaf monitor "nats:\/\/127\.0\.0\.1:8222": expected http/,
  );
});

probe.run();

const upstream = suite("LinkUpstream");

upstream("is down while the link is down, whatever the probe says", () => {
  const found = new SetProbe();
  const state = new LinkUpstream(found);
  const seen: UpstreamEvent[] = [];
  state.on((event) => seen.push(event));
  found.set({ state: "up", server: "hub:7422" });
  assert.is(state.state, "down");
  assert.equal(seen, []);

  state.linkChanged("up");
  assert.is(found.refreshed, 1, "the probe checks again at once");
  assert.equal(seen, [{ state: "up", server: "hub:7422" }]);
  found.set({ state: "down", reason: "no hub" });
  found.set({ state: "unknown", reason: "no monitor" });
  state.linkChanged("down");
  assert.equal(seen.map((event) => event.state), [
    "up",
    "down",
    "unknown",
    "down",
  ]);
  assert.is(seen[3].reason, "the link is down");
  state.close();
  assert.ok(found.closed);
});

upstream("says nothing until the probe has answered once", () => {
  const found = new SetProbe();
  const state = new LinkUpstream(found);
  const seen: string[] = [];
  state.on((event) => seen.push(event.state));
  state.linkChanged("up");
  assert.is(state.state, "down");
  found.set({ state: "unknown", reason: "no monitor" });
  assert.equal(seen, ["unknown"]);
});

upstream("follows the link when there is no probe", () => {
  const state = new LinkUpstream();
  const seen: string[] = [];
  state.on((event) => seen.push(event.state));
  state.linkChanged("up");
  state.linkChanged("up");
  state.linkChanged("down");
  assert.equal(seen, ["up", "down"]);
});

upstream.run();

const sending = suite("sendWhileLinked with an upstream probe");

sending(
  "holds the outbox while the upstream is down and sends when it returns",
  async () => {
    const server = await startNatsServer();
    const dir = await tempDir();
    const found = new SetProbe();
    found.set({ state: "down", reason: "no hub" });
    const hub = await connectNatsBus({ servers: [server.url] });
    hub.subscribe("telemetry.>", (message) => message.respond(bytes("ok")));
    await hub.flush();
    const link = new LinkBus({
      connect: () => connectNatsBus({ servers: [server.url] }),
      probe: found,
    });
    const outbox = Outbox.open(`${dir.path}/outbox.db`);
    const stop = sendWhileLinked(outbox, link);
    try {
      await until(() => link.state === "up", "linked");
      await outbox.enqueue("telemetry.t7", bytes("21.5"));
      await pause(200);
      assert.is(link.upstream, "down");
      assert.equal(
        [outbox.status().depth, outbox.status().state],
        [1, "detached"],
      );

      const drained = nextEvent(outbox, "drained");
      found.set({ state: "up", server: "hub:7422" });
      await drained;
      assert.is(outbox.status().depth, 0);

      found.set({ state: "unknown", reason: "no monitor" });
      assert.is(outbox.status().state === "detached", false, "unknown sends");
    } finally {
      stop();
      await outbox.close();
      await link.close();
      await hub.close();
      await server.stop();
      await dir.remove();
    }
  },
);

sending.run();

const flags = suite("trellis up --leaf-monitor");

function leafMonitor(args: string[]): string | undefined {
  const parsed = parseLatticeFlags(parseFlags(args, LATTICE_FLAGS));
  return parsed?.link.leafMonitor;
}

flags("probes the conventional leaf's monitor when no --nats is given", () => {
  assert.is(leafMonitor([]), "http://127.0.0.1:8222");
  assert.is(leafMonitor(["--leaf-monitor", "none"]), undefined);
  assert.is(leafMonitor(["--nats", "nats://hub:4222"]), undefined);
  assert.is(
    leafMonitor(["--nats", "nats://127.0.0.1:4333"].concat(
      ["--leaf-monitor", "http://127.0.0.1:8333"],
    )),
    "http://127.0.0.1:8333",
  );
});

flags("refuses a monitor that is not plain http, or with --standalone", () => {
  for (const url of ["127.0.0.1:8222", "nats://x:8222", "http://u@x:8222"]) {
    assert.throws(
      () => leafMonitor(["--leaf-monitor", url]),
      (error: Error) =>
        error instanceof UsageError &&
        error.message.startsWith(`Invalid --leaf-monitor "${url}"`),
    );
  }
  assert.throws(
    () => leafMonitor(["--standalone", "--leaf-monitor", "none"]),
    /^--leaf-monitor conflicts with --standalone/,
  );
});

flags.run();
