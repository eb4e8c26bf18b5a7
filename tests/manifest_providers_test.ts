import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dirname, join } from "node:path";
import { parseManifest } from "../runtime/manifest.ts";
import { applyManifest } from "../runtime/manifest_apply.ts";
import {
  guestModule,
  hostCallPayload,
  testHost,
  text,
} from "./host_helpers.ts";
import { shoutProvider, TALLY_PLUGIN, writeTemp } from "./provider_fixtures.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";

const noBuiltins = { builtin: () => undefined };

/** A directory with the tally plug-in, the shout provider and a guest. */
async function providerDir() {
  const dir = dirname(await writeTemp("tally.ts", TALLY_PLUGIN));
  await Deno.writeFile(join(dir, "shout.wasm"), (await shoutProvider()).bytes);
  const actor = await signActor(await guestModule(), {
    caps: ["test:tally", "test:shout"],
  });
  await Deno.writeFile(join(dir, "guest.wasm"), actor.bytes);
  return { dir, actor: actor.key };
}

const manifests = suite("applyManifest with provider modules");

manifests(
  "loads a plug-in and a portable provider and binds them",
  async () => {
    const { dir, actor } = await providerDir();
    const manifest = parseManifest(
      [
        "actors: [./guest.wasm]",
        "capabilities:",
        "  - { path: ./tally.ts }",
        "  - { path: ./shout.wasm }",
        "bindings:",
        `  - { actor: ${actor}, capability: "test:tally" }`,
        `  - { actor: ${actor}, capability: "test:shout" }`,
        `  - { actor: ${actor}, capability: "test:tally", binding: spare }`,
      ].join("\n"),
      { path: join(dir, "host.yaml"), env: {} },
    );
    const host = await testHost();
    await applyManifest(host, manifest, noBuiltins);

    const call = (binding: string, namespace: string, operation: string) =>
      host.invoke(
        actor,
        "H",
        hostCallPayload(binding, namespace, operation, "hi"),
      );
    assert.is(text(await call("", "test:tally", "Add")), "1");
    assert.is(text(await call("", "test:shout", "Shout")), "HI");
    // The plug-in was started again for the binding name only a binding used.
    assert.is(text(await call("spare", "test:tally", "Binding")), "spare");
    assert.is(host.bindings().length, 3);
    await host.stop();
  },
);

manifests("names the manifest line of a plug-in that cannot load", async () => {
  const path = await writeTemp("bad.ts", "export const nothing = 0;\n");
  const manifest = parseManifest(
    ["capabilities:", `  - { path: ${path} }`].join("\n"),
    { path: join(dirname(path), "host.yaml"), env: {} },
  );
  const host = await testHost();
  await rejects(
    () => applyManifest(host, manifest, noBuiltins),
    new RegExp(
      `^Cannot load capability "${path}" \\(.*host\\.yaml line 2\\): ` +
        'it exports no "provider" \\(a ProviderFactory\\)$',
    ),
  );
  await host.stop();
});

manifests("refuses an actor module listed as a wasm provider", async () => {
  const { dir } = await providerDir();
  const manifest = parseManifest(
    "capabilities:\n  - { path: ./guest.wasm }\n",
    { path: join(dir, "host.yaml"), env: {} },
  );
  const host = await testHost();
  await rejects(
    () => applyManifest(host, manifest, noBuiltins),
    /guest\.wasm" \(.*line 2\): it is an actor, not a provider/,
  );
  await host.stop();
});

manifests("checks wasm providers against the catalog's issuers", async () => {
  const { dir } = await providerDir();
  const manifest = parseManifest(
    "capabilities:\n  - { path: ./shout.wasm }\n",
    { path: join(dir, "host.yaml"), env: {} },
  );
  const host = await testHost();
  await rejects(
    () =>
      applyManifest(host, manifest, {
        ...noBuiltins,
        wasm: {
          allowedIssuers: [
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
          ],
        },
      }),
    /shout\.wasm" \(.*line 2\): .*not allowed/,
  );
  await host.stop();
});

manifests.run();
