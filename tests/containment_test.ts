import { suite } from "uvu";
import * as assert from "uvu/assert";
import { httpServerProvider } from "../providers/http_server.ts";
import { DeadlineExceededError } from "../runtime/errors.ts";
import type { Host } from "../runtime/host.ts";
import { testActor } from "./actors.ts";
import { guestModule, testHost, text } from "./host_helpers.ts";
import { freePort } from "./http_server_harness.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";
import { wat } from "./wat.ts";

const bytes = (value: string) => new TextEncoder().encode(value);
const empty = new Uint8Array();

/** CPU seconds this process has used (user + system). */
async function cpuSeconds(): Promise<number> {
  const stat = await Deno.readTextFile("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

/** CPU seconds the process burns over `ms` once it had time to settle. */
async function cpuBurnedOver(ms: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = await cpuSeconds();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (await cpuSeconds()) - before;
}

/** Starts the echo actor and serves it over HTTP; returns its URL. */
async function servedEcho(h: Host): Promise<{ key: string; url: string }> {
  await h.startProvider(httpServerProvider);
  const echo = await signActor(await testActor("echo"), {
    name: "neighbour",
    caps: ["wascc:http_server"],
  });
  await h.startActor(echo.bytes);
  const port = freePort();
  await h.bind(echo.key, "wascc:http_server", "", {
    HOST: "127.0.0.1",
    PORT: String(port),
  });
  return { key: echo.key, url: `http://127.0.0.1:${port}/` };
}

const containment = suite("Containment");

containment(
  "stops a runaway actor at its deadline while others keep answering",
  async () => {
    const h = await testHost({ deadlineMs: 1000 });
    const runaway = await signActor(await guestModule(), { name: "runaway" });
    await h.startActor(runaway.bytes);
    const neighbour = await servedEcho(h);

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
      const response = await fetch(neighbour.url, {
        method: "POST",
        body: "over http",
      });
      assert.is(response.status, 200);
      assert.is(await response.text(), "over http");
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

    const burned = await cpuBurnedOver(1000);
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

containment(
  "stops a recursive actor with no loops at its deadline, yielding meanwhile",
  async () => {
    const module = await wat(`(module
      (memory (export "memory") 1)
      (func $fib (param $n i32) (result i32)
        (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
          (then (local.get $n))
          (else (i32.add
            (call $fib (i32.sub (local.get $n) (i32.const 1)))
            (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
      (func (export "__guest_call") (param i32 i32) (result i32)
        (call $fib (i32.const 43))))`);
    const h = await testHost({ deadlineMs: 200 });
    const actor = await signActor(module, { name: "fib" });
    await h.startActor(actor.bytes);

    const fired: number[] = [];
    const timer = setInterval(() => fired.push(performance.now()), 10);
    const started = performance.now();
    const outcome = await h.invoke(actor.key, "Fib", empty).then(
      () => "answered",
      (error) => error,
    );
    const stoppedAfter = performance.now() - started;
    clearInterval(timer);
    const gaps = fired.map((at, index) => at - (fired[index - 1] ?? started));

    assert.instance(outcome, DeadlineExceededError);
    assert.ok(stoppedAfter < 700, `stopped after ${stoppedAfter} ms`);
    assert.ok(fired.length >= 5, `the timer fired ${fired.length} times`);
    const longest = Math.max(...gaps);
    assert.ok(longest < 150, `the timer waited up to ${longest} ms`);

    const burned = await cpuBurnedOver(500);
    assert.ok(burned < 0.15, `burned ${burned} s of CPU after the deadline`);
    await h.stop();
  },
);

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
