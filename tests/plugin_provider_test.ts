import { suite } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { decode } from "../runtime/codec.ts";
import { loadPluginProvider } from "../runtime/plugin_provider.ts";
import {
  guestModule,
  hostCallPayload,
  testHost,
  text,
} from "./host_helpers.ts";
import {
  type LogLine,
  recordingLogger,
  TALLY_PLUGIN,
  writeTemp,
} from "./provider_fixtures.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";

const CLOCK = fileURLToPath(
  new URL("../examples/providers/clock.ts", import.meta.url),
);

const call = (capability: string, operation: string, binding = "") =>
  hostCallPayload(binding, capability, operation);

const plugins = suite("loadPluginProvider");

plugins(
  "loads a TypeScript plug-in by path and routes calls to it",
  async () => {
    const factory = await loadPluginProvider(
      await writeTemp("tally.ts", TALLY_PLUGIN),
    );
    assert.is(factory.capabilityId, "test:tally");

    const host = await testHost();
    await host.startProvider(factory);
    const actor = await signActor(await guestModule(), {
      name: "tallier",
      caps: ["test:tally"],
    });
    await host.startActor(actor.bytes);
    await host.bind(actor.key, "test:tally", undefined, { LIMIT: "3" });

    const add = call("test:tally", "Add");
    assert.is(text(await host.invoke(actor.key, "H", add)), "1");
    assert.is(text(await host.invoke(actor.key, "H", add)), "2");
    const values = JSON.parse(
      text(await host.invoke(actor.key, "H", call("test:tally", "Values"))),
    );
    assert.is(values.LIMIT, "3");
    assert.is(values.__wascc_name, "tallier");
    assert.is(values.__wascc_capabilities, "test:tally");
    await rejects(
      () => host.invoke(actor.key, "H", call("test:tally", "Nope")),
      /unknown operation/,
    );
    await host.stop();
  },
);

plugins("accepts a JavaScript plug-in's default export", async () => {
  const path = await writeTemp(
    "plain.mjs",
    `export default { capabilityId: "test:plain", create() {} };`,
  );
  const factory = await loadPluginProvider(path);
  assert.is(factory.capabilityId, "test:plain");
});

plugins(
  "refuses a module that exports no provider, naming the file",
  async () => {
    const path = await writeTemp("none.ts", "export const other = 1;\n");
    await rejects(
      () => loadPluginProvider(path),
      new RegExp(
        `^Cannot load provider "${path}": ` +
          'it exports no "provider" \\(a ProviderFactory\\)$',
      ),
    );
  },
);

plugins("refuses a provider export that is not a factory", async () => {
  const noCreate = await writeTemp(
    "half.ts",
    `export const provider = { capabilityId: "test:half" };\n`,
  );
  await rejects(
    () => loadPluginProvider(noCreate),
    /half\.ts": its "provider" export is not a ProviderFactory \(no "create"/,
  );
  const noId = await writeTemp(
    "anon.js",
    "export default { create() {} };\n",
  );
  await rejects(
    () => loadPluginProvider(noId),
    /anon\.js": its "default" export .* \(no text "capabilityId"\)/,
  );
});

plugins("reports a syntax error with the file and its first line", async () => {
  const path = await writeTemp(
    "broken.ts",
    "export const provider = {\n  capabilityId: 'x' create\n};\n",
  );
  const error = await rejects(
    () => loadPluginProvider(path),
    new RegExp(`^Cannot load provider "${path}": \\S`),
  );
  assert.match(error.message, `at ${path}:2:`);
  assert.not.match(error.message, "\n");
  assert.ok(error.cause instanceof Error);
});

plugins("reports a missing file", async () => {
  await rejects(
    () => loadPluginProvider("/nonexistent/trellis/gone.ts"),
    /^Cannot load provider "\/nonexistent\/trellis\/gone.ts": .*not found/i,
  );
});

plugins.run();

const clock = suite("example clock plug-in");

clock("tells a bound actor the time", async () => {
  const factory = await loadPluginProvider(CLOCK);
  const host = await testHost();
  await host.startProvider(factory);
  const actor = await signActor(await guestModule(), {
    caps: ["example:clock"],
  });
  await host.startActor(actor.bytes);
  await host.bind(actor.key, "example:clock");

  const before = Date.now();
  const reply = await host.invoke(
    actor.key,
    "H",
    call("example:clock", "Now"),
  );
  const { millis } = decode(reply) as { millis: number };
  assert.ok(millis >= before && millis <= Date.now(), `millis ${millis}`);
  await host.stop();
});

clock("ticks a bound actor until it is unbound", async () => {
  const lines: LogLine[] = [];
  const host = await testHost({ logger: recordingLogger(lines) });
  await host.startProvider(await loadPluginProvider(CLOCK));
  const actor = await signActor(await guestModule(), {
    caps: ["example:clock"],
  });
  await host.startActor(actor.bytes);
  // The guest fails "Fail", so each delivered tick leaves a warning.
  await host.bind(actor.key, "example:clock", undefined, {
    TICK_MS: "10",
    TICK_OPERATION: "Fail",
  });
  const ticks = () => lines.filter((line) => line.message === "tick failed");
  await waitFor(() => ticks().length >= 3);

  assert.equal(ticks().slice(0, 3).map((line) => line.fields.sequence), [
    0,
    1,
    2,
  ]);
  assert.match(String(ticks()[0].fields.error), "failed on purpose");
  assert.is(ticks()[0].fields.actor, actor.key);

  await host.unbind(actor.key, "example:clock");
  const after = ticks().length;
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.is(ticks().length, after);
  await host.stop();
});

clock("refuses a binding with a bad interval", async () => {
  const host = await testHost();
  await host.startProvider(await loadPluginProvider(CLOCK));
  const actor = await signActor(await guestModule(), {
    caps: ["example:clock"],
  });
  await host.startActor(actor.bytes);
  await rejects(
    () => host.bind(actor.key, "example:clock", undefined, { TICK_MS: "soon" }),
    /Invalid "TICK_MS": .* got "soon"/,
  );
  await host.stop();
});

clock.run();

async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const until = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > until) {
      throw new Error(`Condition not met within ${ms} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
