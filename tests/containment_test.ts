import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DeadlineExceededError } from "../runtime/errors.ts";
import { guestModule, testHost, text } from "./host_helpers.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";

const bytes = (value: string) => new TextEncoder().encode(value);
const empty = new Uint8Array();

/** CPU seconds this process has used (user + system). */
async function cpuSeconds(): Promise<number> {
  const stat = await Deno.readTextFile("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

const containment = suite("Containment");

containment(
  "stops a runaway actor at its deadline while others keep answering",
  async () => {
    const h = await testHost({ deadlineMs: 1000 });
    const module = await guestModule();
    const runaway = await signActor(module, { name: "runaway" });
    const neighbour = await signActor(module, { name: "neighbour" });
    await h.startActor(runaway.bytes);
    await h.startActor(neighbour.bytes);

    const started = performance.now();
    const spinning = h.invoke(runaway.key, "Loop", empty).then(
      () => "answered",
      (error) => error,
    );
    let slowest = 0;
    let answered = 0;
    while (performance.now() - started < 900) {
      const asked = performance.now();
      assert.is(text(await h.invoke(neighbour.key, "Echo", bytes("n"))), "n");
      slowest = Math.max(slowest, performance.now() - asked);
      answered++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const outcome = await spinning;
    const stoppedAfter = performance.now() - started;

    assert.instance(outcome, DeadlineExceededError);
    assert.ok(stoppedAfter < 1500, `stopped after ${stoppedAfter} ms`);
    assert.ok(answered >= 10, `neighbour answered ${answered} times`);
    assert.ok(slowest < 200, `slowest neighbour answer ${slowest} ms`);

    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = await cpuSeconds();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const burned = (await cpuSeconds()) - before;
    assert.ok(burned < 0.3, `burned ${burned} s of CPU after the deadline`);

    const again = await h.invoke(runaway.key, "Echo", bytes("back"));
    assert.is(text(again), "back", "a fresh instance serves");
    await h.stop();
  },
);

containment("stops a runaway actor started in _start-free guests", async () => {
  const h = await testHost({ deadlineMs: 300 });
  const actor = await signActor(await guestModule());
  await h.startActor(actor.bytes);
  for (let round = 0; round < 3; round++) {
    await rejects(() => h.invoke(actor.key, "Loop", empty), /deadline/);
  }
  assert.is(text(await h.invoke(actor.key, "Echo", bytes("ok"))), "ok");
  await h.stop();
});

containment("stops a runaway actor that loops through tail calls", async () => {
  const { wat } = await import("./wat.ts");
  const module = await wat(`(module
    (memory (export "memory") 1)
    (func $spin (export "__guest_call") (param i32 i32) (result i32)
      (return_call $spin (local.get 0) (local.get 1))))`);
  const h = await testHost({ deadlineMs: 300 });
  const actor = await signActor(module);
  await h.startActor(actor.bytes);
  await rejects(() => h.invoke(actor.key, "Spin", empty), /deadline/);
  await h.stop();
});

containment("caps memory growth inside the guest", async () => {
  const h = await testHost({ maxMemoryBytes: 4 * 1024 * 1024 });
  const actor = await signActor(await guestModule());
  await h.startActor(actor.bytes);
  const reply = await h.invoke(actor.key, "Grow", empty);
  const pages = new DataView(reply.buffer, reply.byteOffset).getUint32(0, true);
  assert.is(pages, 50, "grew in 16-page steps from 2 up to the 64-page cap");
  await h.stop();
});

containment(
  "refuses a module whose initial memory exceeds the cap",
  async () => {
    const h = await testHost({ maxMemoryBytes: 65536 });
    const actor = await signActor(await guestModule());
    await rejects(() => h.startActor(actor.bytes), /ceiling/);
    await h.stop();
  },
);

containment.run();

const wasi = suite("WASI");

wasi("gives clocks, randomness, output and ENOSYS for the rest", async () => {
  const output: string[] = [];
  const logger = {
    error() {},
    warn() {},
    info(message: string, fields?: Record<string, unknown>) {
      if (message === "guest output") output.push(String(fields?.text));
    },
    debug() {},
    trace() {},
    child() {
      return logger;
    },
  };
  const h = await testHost({ logger });
  const actor = await signActor(await guestModule());
  await h.startActor(actor.bytes);
  const reply = await h.invoke(actor.key, "Wasi", empty);
  const view = new DataView(reply.buffer, reply.byteOffset, reply.length);
  const random = reply.slice(0, 8);
  const nanoseconds = view.getBigUint64(8, true);
  const errno = view.getUint32(16, true);
  assert.ok(random.some((byte) => byte !== 0), "random bytes written");
  const skew = Number(nanoseconds / 1_000_000n) - Date.now();
  assert.ok(Math.abs(skew) < 5000, `realtime clock off by ${skew} ms`);
  assert.is(errno, 52, "path_open answers ENOSYS");
  assert.equal(output, ["hello from wasi"]);
  await h.stop();
});

wasi("ends the call, not the host, on proc_exit", async () => {
  const h = await testHost();
  const actor = await signActor(await guestModule());
  await h.startActor(actor.bytes);
  await rejects(() => h.invoke(actor.key, "Xit", empty), /exited with code 3/);
  assert.is(text(await h.invoke(actor.key, "Echo", bytes("alive"))), "alive");
  await h.stop();
});

wasi("refuses an import from another module at load", async () => {
  const { wat } = await import("./wat.ts");
  const module = await wat(`(module
    (import "env" "abort" (func (param i32)))
    (memory (export "memory") 1)
    (func (export "__guest_call") (param i32 i32) (result i32) i32.const 1))`);
  const h = await testHost();
  const actor = await signActor(module);
  await rejects(() => h.startActor(actor.bytes), /imports "env.abort"/);
  await h.stop();
});

wasi.run();
