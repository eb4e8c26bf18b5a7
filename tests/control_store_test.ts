/**
 * The lattice's module store on a real nats-server with JetStream:
 * uploads larger than a NATS message, starts from the store, the hash
 * check on arrival, and the module cache when the store is out of reach.
 */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadJetStream, loadNats, loadObjectStore } from "../deps.ts";
import { moduleBucket } from "../leaf/module_store.ts";
import { moduleHash } from "../runtime/claims.ts";
import { ControlWorld, stdoutLines } from "./control_world.ts";
import { guestModule } from "./host_helpers.ts";
import { waitForLogs } from "./reload_harness.ts";
import { signActor, type SignedModule } from "./sign.ts";

const MIB = 1024 * 1024;

/** `bytes` with a custom section of `size` bytes: a big module. */
function padded(bytes: Uint8Array, size: number): Uint8Array {
  const name = new TextEncoder().encode("padding");
  const content = name.length + 1 + size;
  const length: number[] = [];
  for (let rest = content;; rest >>>= 7) {
    const low = rest & 0x7f;
    if (rest < 0x80) {
      length.push(low);
      break;
    }
    length.push(low | 0x80);
  }
  const out = new Uint8Array(bytes.length + 1 + length.length + content);
  out.set(bytes);
  let at = bytes.length;
  out[at++] = 0;
  out.set(length, at);
  at += length.length;
  out[at++] = name.length;
  out.set(name, at);
  return out;
}

let world: ControlWorld;
let big: SignedModule;
let bigFile: string;

const store = suite("trellis ctl and the module store (JetStream)");

store.before(async () => {
  world = await ControlWorld.start(true);
  big = await signActor(padded(await guestModule(), 2 * MIB), {
    name: "big",
  });
  bigFile = join(world.dir, "big.wasm");
  await Deno.writeFile(bigFile, big.bytes);
});

store.after.each(async () => {
  await world.stopHosts();
});

store.after(async () => {
  await world.close();
});

store(
  "uploads a 2 MiB module in chunks and starts it from the store",
  async () => {
    const host = await world.up("a");
    const hash = await moduleHash(big.bytes);
    const put = await world.ctl(["put", bigFile]);
    assert.is(put.code, 0, put.stderr);
    assert.equal(stdoutLines(put), [`sha256:${hash}`]);
    const progress = put.stderr.split("\n").filter((line) =>
      line.startsWith("upload big.wasm: ")
    );
    assert.ok(progress.length >= 4, "a progress line per quarter");
    assert.match(progress.at(-1)!, /of 2\.0 MiB \(100%\)$/);
    const again = await world.ctlJson(["put", bigFile]);
    assert.is(again.existed, true);

    const started = await world.ctlJson([
      "start",
      `sha256:${hash}`,
      "--host",
      host.id,
    ]);
    assert.is(started.from, "store");
    assert.is(started.actor, big.key);
    const reply = await world.host.invoke(
      big.key,
      "Echo",
      new TextEncoder().encode("big"),
    );
    assert.is(new TextDecoder().decode(reply), "big");
  },
);

store("refuses a store module whose bytes do not match", async () => {
  const host = await world.up("a");
  const honest = await signActor(await guestModule(), { name: "honest" });
  const other = await signActor(padded(await guestModule(), 16), {
    name: "other",
  });
  const hash = await moduleHash(honest.bytes);
  await putUnder(hash, other.bytes);
  const result = await world.ctl([
    "start",
    `sha256:${hash}`,
    "--host",
    host.id,
  ]);
  assert.is(result.code, 1);
  assert.match(
    result.stderr,
    new RegExp(`Cannot load module "sha256:${hash}": the store's module has`),
  );
  assert.equal(await world.placements(other.key), {});
});

store(
  "a host with the module cached starts it again with the store unreachable",
  async () => {
    const cached = await world.up("cached");
    const fresh = await world.up("fresh");
    const hash = await moduleHash(big.bytes);
    await world.ctlJson(["put", bigFile]);
    const first = await world.ctlJson([
      "start",
      `sha256:${hash}`,
      "--host",
      cached.id,
    ]);
    assert.is(first.from, "store");
    await world.ctlJson(["stop", big.key]);

    await world.restartServer(false);
    for (const host of [cached, fresh]) {
      await waitForLogs(
        host.process,
        (line) => line.msg === "link changed" && line.state === "up",
        2,
      );
    }
    const again = await world.ctlJson([
      "start",
      `sha256:${hash}`,
      "--host",
      cached.id,
    ]);
    assert.is(again.from, "cache");
    const elsewhere = await world.ctl([
      "start",
      `sha256:${hash}`,
      "--host",
      fresh.id,
    ]);
    assert.is(elsewhere.code, 1);
    assert.match(
      elsewhere.stderr,
      /Cannot open module store "trellis-modules"/,
    );
    assert.equal(await world.placements(big.key), { [cached.id]: 1 });
  },
);

store.run();

// Stores bytes under a name of its choosing, as a tampering client could.
async function putUnder(name: string, bytes: Uint8Array): Promise<void> {
  const [nats, { jetstream }, { Objm }] = await Promise.all([
    loadNats(),
    loadJetStream(),
    loadObjectStore(),
  ]);
  const connection = await nats.connect({ servers: world.server.url });
  try {
    const objects = new Objm(jetstream(connection));
    const bucket = await objects.create(moduleBucket());
    await bucket.putBlob({ name }, bytes);
  } finally {
    await connection.close();
  }
}
