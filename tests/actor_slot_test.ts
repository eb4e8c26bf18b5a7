import { suite } from "uvu";
import * as assert from "uvu/assert";
import { compileActorModule } from "../runtime/actor_module.ts";
import { ActorSlot, type ActorVersion } from "../runtime/actor_slot.ts";
import type { ActorClaims } from "../runtime/claims.ts";
import { DeadlineWatch, type Watched } from "../runtime/deadline_watch.ts";
import { DeadlineExceededError } from "../runtime/errors.ts";
import { type Logger, silentLogger } from "../runtime/logger.ts";
import { FUEL_PER_TICK } from "../runtime/wasm_instrument.ts";
import { wat } from "./wat.ts";

/** A watch whose deadlines pass when the test says so. */
class ManualWatch extends DeadlineWatch {
  readonly items = new Set<Watched>();

  override add(item: Watched): void {
    this.items.add(item);
  }

  override delete(item: Watched): void {
    this.items.delete(item);
  }

  /** Does what the watch's timer does once every deadline has passed. */
  expireAll(): void {
    for (const item of this.items) {
      this.items.delete(item);
      item.expire();
    }
  }
}

const claims: ActorClaims = {
  issuer: "A",
  subject: "M",
  issuedAt: 0,
  id: "spinner",
  name: "spinner",
  hash: "",
  tags: [],
  caps: [],
  provider: false,
  token: "",
};

/** A guest whose every call loops forever, logging each iteration. */
async function spinner(): Promise<ActorVersion> {
  const bytes = await wat(`(module
    (import "wapc" "__console_log" (func $log (param i32 i32)))
    (memory (export "memory") 1)
    (func (export "__guest_call") (param i32 i32) (result i32)
      (loop $forever
        (call $log (i32.const 0) (i32.const 0))
        (br $forever))
      (i32.const 0)))`);
  const module = await compileActorModule(bytes, 1 << 20);
  return { claims, module, generation: 1 };
}

/** A logger counting the guest's console lines into `counter.lines`. */
function countingLogger(counter: { lines: number; limit: number }): Logger {
  const logger: Logger = {
    ...silentLogger,
    info(message) {
      if (message !== "console log") return;
      // Ends a guest that would otherwise spin forever with the test.
      if (++counter.lines > counter.limit) throw new Error("guest ran on");
    },
    child: () => logger,
  };
  return logger;
}

const host = { hostCall: () => Promise.reject(new Error("no host calls")) };
const empty = new Uint8Array();
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const slots = suite("ActorSlot");

slots(
  "stops a guest whose deadline passed while it yielded in a tick",
  async () => {
    const watch = new ManualWatch();
    const counter = { lines: 0, limit: Infinity };
    const slot = await ActorSlot.create(await spinner(), {
      deadlineMs: 60_000,
      host,
      logger: countingLogger(counter),
      watch,
    });

    const outcome = slot.run("Spin", empty, { chain: [] }).catch((e) => e);
    // This timer can only run while the guest waits in a yielding tick.
    await sleep(30);
    const linesAtStop = counter.lines;
    counter.limit = linesAtStop + 100 * FUEL_PER_TICK;
    watch.expireAll();

    assert.instance(await outcome, DeadlineExceededError);
    await sleep(50);
    const after = counter.lines - linesAtStop;
    assert.is(after, 0, `the guest ran ${after} more iterations`);
    assert.ok(slot.expired, "the instance must be replaced");
  },
);

slots("gives a stopped guest no more host calls", async () => {
  const watch = new ManualWatch();
  const counter = { lines: 0, limit: Infinity };
  let calls = 0;
  const waitingHost = {
    hostCall: () => {
      calls++;
      return new Promise<Uint8Array>(() => {});
    },
  };
  const bytes = await wat(`(module
    (import "wapc" "__host_call"
      (func $call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
    (import "wapc" "__console_log" (func $log (param i32 i32)))
    (memory (export "memory") 1)
    (func (export "__guest_call") (param i32 i32) (result i32)
      (loop $again
        (drop (call $call (i32.const 0) (i32.const 0) (i32.const 0)
          (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
          (i32.const 0)))
        (call $log (i32.const 0) (i32.const 0))
        (br $again))
      (i32.const 0)))`);
  const module = await compileActorModule(bytes, 1 << 20);
  const slot = await ActorSlot.create({ claims, module, generation: 1 }, {
    deadlineMs: 60_000,
    host: waitingHost,
    logger: countingLogger(counter),
    watch,
  });

  const outcome = slot.run("Call", empty, { chain: [] }).catch((e) => e);
  await sleep(10);
  assert.is(calls, 1, "the guest waits in its first host call");
  counter.limit = 100 * FUEL_PER_TICK;
  watch.expireAll();

  assert.instance(await outcome, DeadlineExceededError);
  await sleep(20);
  assert.is(calls, 1, "the stopped guest reached the host again");
  assert.ok(
    counter.lines <= FUEL_PER_TICK,
    `the guest ran ${counter.lines} iterations past its next tick`,
  );
});

slots.run();
