/**
 * A device joined to a cloud lattice through a leaf node, with every part
 * real: a hub with JetStream and a stream on `telemetry.>`, a device leaf
 * from `trellis leaf config`'s defaults, and `trellis up` as a process on
 * the leaf. Cloud calls cross to the device's actors; readings taken while
 * the hub is away wait in the outbox and arrive once each; a restarted
 * leaf is rejoined.
 */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { connectNatsBus, type NatsBus } from "../leaf/nats_bus.ts";
import { adminGet } from "../runtime/admin_client.ts";
import { adminSocketPath } from "../runtime/admin_server.ts";
import { encode } from "../runtime/codec.ts";
import { testActor } from "./actors.ts";
import { bytes, text } from "./bus_recorder.ts";
import { type CliProcess, runCli, startCli } from "./cli_harness.ts";
import {
  readStream,
  resetStream,
  streamCount,
  untilStreamHolds,
} from "./jetstream_hub.ts";
import { type LatticeHost, latticeHost } from "./lattice_harness.ts";
import { type Bridge, startBridge } from "./leaf_servers.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";

const LATTICE = "truck7";
const READINGS = 50;
const LINK_UP = /"msg":"link changed".*"state":"up"/;
const UPSTREAM_DOWN = /"msg":"upstream changed".*"state":"down"/;

const bridged = suite("trellis up across a leaf bridge");
let dir = "";
let bridge: Bridge | undefined;
let trellis: CliProcess | undefined;
let dataDir = "";
let echoKey = "";
let callerKey = "";
const hosts: LatticeHost[] = [];
const clients: NatsBus[] = [];

bridged.before(async () => {
  dir = await Deno.makeTempDir({ prefix: "trellis-leaf-bridge-" });
  dataDir = join(dir, "device");
  const manifest = await writeActors();
  bridge = await startBridge(dir, {
    device: (leaf) => ({ hub: `nats-leaf://${leaf}`, lattice: LATTICE }),
    hub: (leaf) => ({ hub: `nats-leaf://${leaf}`, lattice: LATTICE }),
    hubPreamble: `jetstream { store_dir: "${join(dir, "hub-js")}" }`,
  });
  await resetStream(bridge.hub);
  trellis = startCli([
    ...["up", "--log-format", "json", "--nats", bridge.deviceUrl],
    ...["--lattice", LATTICE, "--leaf-monitor", bridge.monitorUrl],
    ...["--upstream", "telemetry.>", "--heartbeat", "1h"],
    ...["--data-dir", dataDir, "--manifest", manifest],
  ]);
  await trellis.waitForLine(/^trellis ready /, 30_000);
  await trellis.waitForLog(LINK_UP, 15_000);
});

bridged.after(async () => {
  for (const host of hosts.splice(0)) await host.stop().catch(() => {});
  for (const client of clients.splice(0)) await client.close();
  trellis?.signal("SIGTERM");
  await trellis?.exit(15_000).catch(() => trellis?.kill());
  await bridge?.stop();
  await Deno.remove(dir, { recursive: true });
});

bridged(
  "a device's request on telemetry gets the hub stream's PubAck back",
  async () => {
    const reply = await bridge!.device.request(
      "telemetry.check",
      bytes("pub ack?"),
      { timeoutMs: 2000, headers: { "Nats-Msg-Id": "check-1" } },
    );
    assert.equal(JSON.parse(text(reply.payload)), {
      stream: "TELEMETRY",
      seq: 1,
    });
  },
);

bridged(
  "a cloud host calls a device actor; a subject not exported stays shut",
  async () => {
    const cloud = await joinLattice(bridge!.hub);
    const reply = await eventually(() =>
      cloud.host.invoke(echoKey, "Echo", bytes("from the cloud"))
    );
    assert.is(text(reply), "from the cloud");

    // The host bids in auctions on the device; the hub cannot ask it.
    const auction = `${LATTICE}.wasmbus.control.auction.request`;
    const ask = bytes(JSON.stringify({ constraints: {} }));
    const bid = await bridge!.device.request(auction, ask, { timeoutMs: 2000 });
    assert.ok(JSON.parse(text(bid.payload)).host_id);
    await rejects(
      () => bridge!.hub.request(auction, ask, { timeoutMs: 1000 }),
      /^Cannot request "truck7\.wasmbus\.control\.auction\.request": no /,
    );
  },
);

bridged(
  "keeps readings while the hub is away and delivers each once on return",
  async () => {
    const device = await joinLattice(bridge!.device);
    const publish = (reading: string) =>
      device.host.invoke(callerKey, "Call", publishCall(reading));
    const before = await streamCount(bridge!.hub);
    await publish("reading 0");
    await untilStreamHolds(bridge!.hub, before + 1, 10_000);
    await untilStatus("confirmed and removed", (s) => s.outbox.depth === 0);

    await bridge!.stopHub();
    await untilStatus(
      "upstream down behind a live link",
      (s) => s.link.state === "up" && s.link.upstream === "down",
    );
    await trellis!.waitForLog(UPSTREAM_DOWN, 1000);
    const status = await runCli(["status", "--data-dir", dataDir]);
    const linkLine = /^link {6}up .*\(upstream down: (.+)\)$/m;
    const reason = linkLine.exec(status.stdout)?.[1];
    assert.is(reason, "the leaf node has no link to the hub", status.stdout);
    for (let n = 1; n <= READINGS; n++) await publish(`reading ${n}`);
    const waiting = await readStatus();
    assert.is(waiting.outbox.depth, READINGS);
    assert.is(waiting.outbox.state, "detached");
    // An operator watching the backlog drain.
    const follow = startCli([
      ...["outbox", "status", "--follow", "--data-dir", dataDir],
    ]);
    await follow.waitForLine(new RegExp(`^${READINGS} waiting `), 10_000);

    await bridge!.startHub();
    const back = performance.now();
    const reader = await client(bridge!.hubUrl);
    const total = before + 1 + READINGS;
    await untilStreamHolds(reader, before + 2, 15_000);
    const firstMs = Math.round(performance.now() - back);
    await untilStreamHolds(reader, total, 30_000);
    await untilStatus("drained", (s) => s.outbox.depth === 0);
    const followed = await follow.exit(5_000);
    assert.is(followed.code, 0, followed.stderr);
    assert.match(followed.stdout, /^outbox drained$/m);
    assert.match(followed.stderr, /^draining: 100% \(0 left, \d+\/s\)$/m);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.is(await streamCount(reader), total, "no reading twice");
    const entries = (await readStream(reader, total)).slice(before);
    assert.equal(
      entries.map((entry) => entry.text),
      Array.from({ length: READINGS + 1 }, (_, n) => `reading ${n}`),
    );
    assert.is(new Set(entries.map((entry) => entry.id)).size, READINGS + 1);
    console.error(`    first replayed reading ${firstMs} ms after the hub`);
  },
);

bridged("rejoins by itself when the leaf server restarts", async () => {
  const linkUps = () => trellis!.stderr.split("\n").filter(isLinkUp).length;
  const upsBefore = linkUps();
  await bridge!.restartLeaf();
  const restarted = performance.now();
  await until("link up again", () => linkUps() > upsBefore, 20_000);
  const rejoinMs = Math.round(performance.now() - restarted);
  await untilStatus("upstream up", (s) => s.link.upstream === "up");

  const cloud = await joinLattice(await client(bridge!.hubUrl));
  const reply = await eventually(() =>
    cloud.host.invoke(echoKey, "Echo", bytes("after the restart"))
  );
  assert.is(text(reply), "after the restart");
  console.error(`    link up ${rejoinMs} ms after the leaf restarted`);
});

bridged.run();

interface HostStatus {
  link: { state: string; upstream: string };
  outbox: { depth: number; state: string };
}

async function writeActors(): Promise<string> {
  const echo = await signActor(await testActor("echo"), { name: "echo" });
  const caller = await signActor(await testActor("caller"), {
    name: "caller",
    caps: ["wascc:messaging"],
  });
  echoKey = echo.key;
  callerKey = caller.key;
  await Deno.writeFile(join(dir, "echo.wasm"), echo.bytes);
  await Deno.writeFile(join(dir, "caller.wasm"), caller.bytes);
  const manifest = join(dir, "device.yaml");
  await Deno.writeTextFile(
    manifest,
    [
      "actors:",
      `  - ${join(dir, "echo.wasm")}`,
      `  - ${join(dir, "caller.wasm")}`,
      "capabilities:",
      '  - id: "wascc:messaging"',
      "bindings:",
      `  - actor: ${callerKey}`,
      '    capability: "wascc:messaging"',
      "",
    ].join("\n"),
  );
  return manifest;
}

// What the caller actor passes on to wascc:messaging: a publish to the
// device's telemetry subject, marked upstream.
function publishCall(reading: string): Uint8Array {
  return encode({
    binding: "default",
    namespace: "wascc:messaging",
    operation: "Publish",
    payload: encode({
      subject: `telemetry.${LATTICE}`,
      replyTo: "",
      body: bytes(reading),
    }),
  });
}

async function client(url: string): Promise<NatsBus> {
  const bus = await connectNatsBus({ servers: [url] });
  clients.push(bus);
  return bus;
}

async function joinLattice(bus: NatsBus): Promise<LatticeHost> {
  const host = await latticeHost(bus, {
    namespace: LATTICE,
    rpcTimeoutMs: 1000,
  });
  hosts.push(host);
  return host;
}

async function readStatus(): Promise<HostStatus> {
  const answer = await adminGet(
    { socketPath: adminSocketPath(dataDir) },
    "/status",
  );
  return JSON.parse(answer.body);
}

async function untilStatus(
  what: string,
  accept: (status: HostStatus) => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  let last: HostStatus | undefined;
  await until(what, async () => accept(last = await readStatus()), timeoutMs)
    .catch((error) => {
      throw new Error(`${error.message}: ${JSON.stringify(last)}`);
    });
}

function isLinkUp(line: string): boolean {
  return LINK_UP.test(line);
}

// Retries `action` until it resolves, since interest takes a moment to
// cross the link; rejects with its last failure after `timeoutMs`.
async function eventually<T>(
  action: () => Promise<T>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await action();
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) {
      throw new Error(`Not ${what} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
