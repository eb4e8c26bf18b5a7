import { suite } from "uvu";
import * as assert from "uvu/assert";
import { httpServerProvider } from "../providers/http_server.ts";
import { encode } from "../runtime/codec.ts";
import type { ProviderFactory } from "../runtime/provider.ts";
import { testActor } from "./actors.ts";
import { freePort } from "./http_server_harness.ts";
import { testHost } from "./host_helpers.ts";
import { signActor } from "./sign.ts";

/** A `wascc:keyvalue` stand-in whose `Add` answers once released. */
function heldKeyValue() {
  let calls = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const factory: ProviderFactory = {
    capabilityId: "wascc:keyvalue",
    create: () => ({
      descriptor: {
        id: "wascc:keyvalue",
        name: "held key-value",
        version: "0.1.0",
        revision: 1,
        longDescription: "Answers Add once released",
        supportedOperations: [],
      },
      bind: () => Promise.resolve(),
      unbind: () => Promise.resolve(),
      async call() {
        const value = ++calls;
        await released;
        return encode({ value });
      },
      stop: () => Promise.resolve(),
    }),
  };
  return { factory, release, calls: () => calls };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("Condition never held");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const busy = suite("Actor queue over HTTP");

busy(
  "a full queue answers 503 and the waiting requests still finish",
  async () => {
    const host = await testHost({ queueLimit: 1 });
    const keyValue = heldKeyValue();
    await host.startProvider(httpServerProvider);
    await host.startProvider(keyValue.factory);
    const counter = await signActor(await testActor("counter"), {
      caps: ["wascc:http_server", "wascc:keyvalue"],
    });
    await host.startActor(counter.bytes);
    const port = freePort();
    await host.bind(counter.key, "wascc:http_server", "", {
      HOST: "127.0.0.1",
      PORT: String(port),
    });
    await host.bind(counter.key, "wascc:keyvalue");
    const url = `http://127.0.0.1:${port}/`;

    try {
      const running = fetch(url);
      await until(() => keyValue.calls() === 1);
      const waiting = fetch(url);
      await until(() => host.actor(counter.key)!.queued === 1);

      const refused = await fetch(url);
      assert.is(refused.status, 503);
      assert.is(refused.headers.get("retry-after"), "1");
      assert.is(await refused.text(), "service unavailable");

      keyValue.release();
      const replies = await Promise.all([running, waiting]);
      assert.equal(replies.map((reply) => reply.status), [200, 200]);
      const bodies = await Promise.all(replies.map((reply) => reply.json()));
      assert.equal(bodies, [{ count: 1 }, { count: 2 }]);
    } finally {
      await host.stop();
    }
  },
);

busy.run();
