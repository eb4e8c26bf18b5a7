/**
 * The host and guests the manifest reload suites share: a manifest applied
 * to a test host, a provider that records its bind and unbind calls, and
 * reloads that keep the applied record.
 */
import { join } from "node:path";
import { generateKeyPair, type KeyPair } from "../runtime/ed25519.ts";
import type { Host } from "../runtime/host.ts";
import type { HostEvent } from "../runtime/host_events.ts";
import { type Manifest, parseManifest } from "../runtime/manifest.ts";
import {
  type ProviderCatalog,
  startManifest,
} from "../runtime/manifest_apply.ts";
import {
  reloadManifest,
  type ReloadResult,
} from "../runtime/manifest_reload.ts";
import type { AppliedManifest } from "../runtime/manifest_state.ts";
import type {
  ActorBinding,
  CapabilityProvider,
  ProviderFactory,
} from "../runtime/provider.ts";
import { guestModule, testHost } from "./host_helpers.ts";
import { writeFile } from "./reload_harness.ts";
import { signActor } from "./sign.ts";

/** Bind and unbind calls a `test:record` provider received. */
export type Call = ["bind", string, Record<string, string>] | [
  "unbind",
  string,
];

/** A provider factory for `id` that records its bind and unbind calls. */
export function recordingProvider(id: string, calls: Call[]): ProviderFactory {
  return {
    capabilityId: id,
    create(): CapabilityProvider {
      return {
        descriptor: {
          id,
          name: "Recorder",
          version: "0.1.0",
          revision: 1,
          longDescription: "Records bindings",
          supportedOperations: [],
        },
        bind(binding: ActorBinding) {
          const values = Object.fromEntries(
            Object.entries(binding.values)
              .filter(([key]) => !key.startsWith("__wascc")),
          );
          calls.push(["bind", binding.actor, values]);
          return Promise.resolve();
        },
        unbind(actor: string) {
          calls.push(["unbind", actor]);
          return Promise.resolve();
        },
        call: () => Promise.reject(new RangeError("no operations")),
        stop: () => Promise.resolve(),
      };
    },
  };
}

/** A host and a directory of signed guests, a manifest applied to both. */
export interface Setup {
  host: Host;
  dir: string;
  events: HostEvent[];
  calls: Call[];
  catalog: ProviderCatalog;
  applied: AppliedManifest;
  keys: { echo: string; other: string };
  subjects: { echo: KeyPair };
  /** Parses manifest text as the file `host.yaml` in `dir`. */
  manifest(lines: string[]): Manifest;
  /** Reloads `lines`, keeping the result as the new applied record. */
  reload(lines: string[]): Promise<ReloadResult>;
  done(): Promise<void>;
}

export async function setup(lines: (keys: Setup["keys"]) => string[]) {
  const dir = await Deno.makeTempDir({ prefix: "trellis-reload-" });
  const guest = await guestModule();
  const echoSubject = await generateKeyPair("module");
  const caps = ["test:record", "test:spare"];
  const echo = await signActor(guest, {
    subject: echoSubject,
    caps,
    name: "echo",
  });
  const other = await signActor(guest, { caps, name: "other" });
  await writeFile(dir, "echo.wasm", echo.bytes);
  await writeFile(dir, "other.wasm", other.bytes);
  const calls: Call[] = [];
  const providers = new Map([
    ["test:record", recordingProvider("test:record", calls)],
    ["test:spare", recordingProvider("test:spare", [])],
  ]);
  const catalog: ProviderCatalog = { builtin: (id) => providers.get(id) };
  const keys = { echo: echo.key, other: other.key };
  const host = await testHost();
  const manifest = (text: string[]) =>
    parseManifest(text.join("\n"), { path: join(dir, "host.yaml"), env: {} });
  const state: Setup = {
    host,
    dir,
    events: [],
    calls,
    catalog,
    applied: await startManifest(host, manifest(lines(keys)), catalog),
    keys,
    subjects: { echo: echoSubject },
    manifest,
    async reload(text) {
      const result = await reloadManifest(
        host,
        state.applied,
        manifest(text),
        { catalog },
      );
      state.applied = result.applied;
      return result;
    },
    async done() {
      await host.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
  host.events.on((event) => state.events.push(event));
  calls.length = 0;
  return state;
}

export const echoOnly = (keys: Setup["keys"]) => [
  "actors: [./echo.wasm]",
  "capabilities:",
  '  - id: "test:record"',
  "bindings:",
  `  - { actor: ${keys.echo}, capability: "test:record", values: { A: "1" } }`,
];
