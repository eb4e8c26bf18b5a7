import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { Logger } from "../runtime/logger.ts";
import { wasiImports } from "../runtime/wasi.ts";
import { guestModule, testHost, text } from "./host_helpers.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";
import { wat } from "./wat.ts";

const bytes = (value: string) => new TextEncoder().encode(value);
const empty = new Uint8Array();

const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const ENOSYS = 52;

/** A logger that keeps what guests write to stdout and stderr. */
function outputLogger(output: string[]): Logger {
  const logger: Logger = {
    error() {},
    warn() {},
    info(message, fields) {
      if (message === "guest output") output.push(String(fields?.text));
    },
    debug() {},
    trace() {},
    child: () => logger,
  };
  return logger;
}

async function wasiImportsModule(): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL("./fixtures/wasi_imports.wat", import.meta.url);
  return wat(await Deno.readTextFile(url));
}

const wasi = suite("WASI");

wasi("gives clocks, randomness, output and ENOSYS for the rest", async () => {
  const output: string[] = [];
  const h = await testHost({ logger: outputLogger(output) });
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
  assert.is(errno, ENOSYS, "path_open answers ENOSYS");
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
  const module = await wat(`(module
    (import "env" "abort" (func (param i32)))
    (memory (export "memory") 1)
    (func (export "__guest_call") (param i32 i32) (result i32) i32.const 1))`);
  const h = await testHost();
  const actor = await signActor(module);
  await rejects(() => h.startActor(actor.bytes), /imports "env.abort"/);
  await h.stop();
});

wasi(
  "resolves every preview1 import under both module names",
  async () => {
    const module = await wasiImportsModule();
    const imported = (name: string) =>
      new Set(
        WebAssembly.Module.imports(new WebAssembly.Module(module))
          .filter((entry) => entry.module === name)
          .map((entry) => entry.name),
      );
    assert.is(imported("wasi_snapshot_preview1").size, 46);
    assert.is(imported("wasi_unstable").size, 45);

    const h = await testHost();
    const actor = await signActor(module);
    await h.startActor(actor.bytes);
    await rejects(() => h.invoke(actor.key, "Nothing", empty), /unknown op/);
    await h.stop();
  },
);

for (
  const [module, operation] of [
    ["wasi_snapshot_preview1", "P"],
    ["wasi_unstable", "U"],
  ]
) {
  wasi(
    `answers the useful calls and ENOSYS for the rest (${module})`,
    async () => {
      const output: string[] = [];
      const h = await testHost({ logger: outputLogger(output) });
      const actor = await signActor(await wasiImportsModule());
      await h.startActor(actor.bytes);
      const reply = await h.invoke(actor.key, operation, empty);
      const view = new DataView(reply.buffer, reply.byteOffset, reply.length);
      const u32 = (offset: number) => view.getUint32(offset, true);
      const u64 = (offset: number) => view.getBigUint64(offset, true);

      const errnos = Array.from({ length: 15 }, (_, index) => u32(index * 4));
      assert.equal(errnos, [
        ...[ESUCCESS, ESUCCESS, ESUCCESS], // the three clock calls
        ...[ESUCCESS, ESUCCESS], // random_get, fd_write to stdout
        ...[ESUCCESS, ESUCCESS], // environ_sizes_get, args_sizes_get
        EBADF, // fd_prestat_get(3): nothing is preopened
        ...[ESUCCESS, ESUCCESS], // fd_fdstat_get(1), sched_yield
        ...[ENOSYS, ENOSYS], // path_open, poll_oneoff
        EINVAL, // clock 99
        ESUCCESS, // fd_read from stdin
        operation === "P" ? ENOSYS : 0xffffffff, // sock_accept, preview1 only
      ]);
      const skew = Number(u64(64) / 1_000_000n) - Date.now();
      assert.ok(Math.abs(skew) < 5000, `realtime clock off by ${skew} ms`);
      assert.ok(u64(72) > 0n, "monotonic clock");
      assert.is(u64(80), 1000n, "resolution in ns");
      assert.ok(reply.slice(88, 104).some((byte) => byte !== 0xff), "random");
      assert.is(u32(104), `hello from ${module}\n`.length, "bytes written");
      assert.equal(output, [`hello from ${module}`]);
      assert.equal([u32(108), u32(112)], [0, 0], "no environment");
      assert.equal([u32(116), u32(120)], [0, 0], "no arguments");
      assert.is(u32(124), 0, "stdin is empty");
      assert.is(reply[128], 2, "stdout is a character device");
      assert.is(u64(136), 1n << 6n, "stdout may be written");
      await h.stop();
    },
  );
}

wasi("answers EFAULT for memory past the end, not a trap", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const names = ["fd_write", "random_get", "clock_time_get", "toString"];
  const functions = wasiImports(
    names.map((name) => ({ module: "wasi_unstable", name, kind: "function" })),
    "wasi_unstable",
    { memory: () => memory, onOutput() {} },
  ) as unknown as Record<string, (...args: unknown[]) => number>;
  const EFAULT = 21;

  assert.is(functions.fd_write(1, 65530, 1, 0), EFAULT, "iovec list");
  const iovec = new DataView(memory.buffer);
  iovec.setUint32(0, 10, true);
  iovec.setUint32(4, 65535, true);
  assert.is(functions.fd_write(1, 0, 1, 16), EFAULT, "iovec buffer");
  assert.is(functions.random_get(-8, 16), EFAULT, "pointer above 2 GiB");
  assert.is(functions.clock_time_get(0, 1n, 65532), EFAULT, "time");
  assert.is(functions.toString(), ENOSYS, "not Object's toString");
});

wasi.run();
