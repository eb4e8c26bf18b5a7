import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { generateKeyPair } from "../runtime/ed25519.ts";
import { parseManifest } from "../runtime/manifest.ts";
import { startManifest } from "../runtime/manifest_apply.ts";
import { reloadManifest } from "../runtime/manifest_reload.ts";
import { guestModule, testHost } from "./host_helpers.ts";
import {
  trappingModule,
  withCustomSection,
  writeFile,
} from "./reload_harness.ts";
import { echoOnly, setup } from "./reload_setup.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";

const reload = suite("reloadManifest: actors");

reload("starts an added actor and stops a removed one", async () => {
  const t = await setup(echoOnly);
  const result = await t.reload([
    "actors: [./other.wasm]",
    "capabilities:",
    '  - id: "test:record"',
  ]);

  assert.equal(result.failures, []);
  assert.is(result.summary.actorsStarted, 1);
  assert.is(result.summary.actorsStopped, 1);
  assert.is(result.summary.bindingsRemoved, 1);
  assert.equal(t.host.actors().map((claims) => claims.subject), [
    t.keys.other,
  ]);
  assert.equal(t.events.map((event) => event.type), [
    "binding_removed",
    "actor_stopped",
    "actor_starting",
    "actor_started",
  ]);
  assert.equal([...result.applied.actors.keys()], [t.keys.other]);
  await t.done();
});

reload("scales an actor whose instance count changed", async () => {
  const t = await setup(echoOnly);
  const [, ...rest] = echoOnly(t.keys);
  const result = await t.reload([
    "actors: [{ path: ./echo.wasm, instances: 3 }]",
    ...rest,
  ]);

  assert.is(result.summary.actorsScaled, 1);
  assert.is(t.host.actor(t.keys.echo)?.instances, 3);
  assert.equal(t.events, [
    { type: "actor_scaled", actor: t.keys.echo, instances: 3 },
  ]);
  await t.done();
});

reload("sets, changes and drops an actor's own queue limit", async () => {
  const t = await setup(echoOnly);
  const [, ...rest] = echoOnly(t.keys);
  const limited = (entry: string) => t.reload([`actors: [${entry}]`, ...rest]);
  const actor = () => t.host.actor(t.keys.echo)!;
  const hostLimit = actor().queueLimit;

  let result = await limited("{ path: ./echo.wasm, queue_limit: 3 }");
  assert.is(result.summary.actorsRequeued, 1);
  assert.is(actor().queueLimit, 3);
  assert.is(result.applied.actors.get(t.keys.echo)?.queueLimit, 3);

  result = await limited("{ path: ./echo.wasm, queue_limit: 3 }");
  assert.is(result.summary.actorsRequeued, 0, "unchanged");

  result = await limited("./echo.wasm");
  assert.is(result.summary.actorsRequeued, 1);
  assert.is(actor().queueLimit, hostLimit, "back to the host's limit");
  assert.is(result.applied.actors.get(t.keys.echo)?.queueLimit, undefined);
  await t.done();
});

reload("leaves unchanged actors alone: same pool, no events", async () => {
  const t = await setup(echoOnly);
  const pool = t.host.actor(t.keys.echo);
  const result = await t.reload([
    "actors: [./echo.wasm, ./other.wasm]",
    "capabilities:",
    '  - id: "test:record"',
    "bindings:",
    `  - { actor: ${t.keys.echo}, capability: "test:record", ` +
    'values: { A: "1" } }',
  ]);

  assert.is(result.summary.actorsStarted, 1);
  assert.is(t.host.actor(t.keys.echo), pool, "the same running actor");
  const touched = t.events.filter((event) =>
    "actor" in event && event.actor === t.keys.echo
  );
  assert.equal(touched, []);
  assert.equal(t.calls, []);

  const again = await t.reload([
    "actors: [./echo.wasm, ./other.wasm]",
    "capabilities:",
    '  - id: "test:record"',
    "bindings:",
    `  - { actor: ${t.keys.echo}, capability: "test:record", ` +
    'values: { A: "1" } }',
  ]);
  assert.equal(again.summary, {
    actorsStarted: 0,
    actorsStopped: 0,
    actorsUpdated: 0,
    actorsScaled: 0,
    actorsRequeued: 0,
    providersStarted: 0,
    providersStopped: 0,
    bindingsAdded: 0,
    bindingsRemoved: 0,
    bindingsChanged: 0,
    labelsChanged: false,
    failed: 0,
  });
  await t.done();
});

reload("a new path holding the same identity is a live update", async () => {
  const t = await setup(echoOnly);
  const rebuilt = await signActor(
    withCustomSection(await guestModule(), "build-2"),
    { subject: t.subjects.echo, caps: ["test:record"], name: "echo" },
  );
  await writeFile(t.dir, "echo-2.wasm", rebuilt.bytes);
  const [, ...rest] = echoOnly(t.keys);
  const result = await t.reload(["actors: [./echo-2.wasm]", ...rest]);

  assert.equal(result.failures, []);
  assert.is(result.summary.actorsUpdated, 1);
  assert.is(result.summary.actorsStarted + result.summary.actorsStopped, 0);
  assert.equal(t.events.map((event) => event.type), [
    "actor_updating",
    "actor_update_complete",
  ]);
  assert.equal(t.calls, [], "bindings stay");
  const running = t.host.actor(t.keys.echo)!.claims;
  assert.is(result.applied.actors.get(t.keys.echo)?.hash, running.hash);
  assert.is(
    result.applied.actors.get(t.keys.echo)?.path,
    join(t.dir, "echo-2.wasm"),
  );
  await t.done();
});

reload("the same module under a new path changes nothing", async () => {
  const t = await setup(echoOnly);
  await Deno.copyFile(join(t.dir, "echo.wasm"), join(t.dir, "copy.wasm"));
  const [, ...rest] = echoOnly(t.keys);
  const result = await t.reload(["actors: [./copy.wasm]", ...rest]);

  assert.equal(t.events, []);
  assert.is(result.summary.actorsUpdated, 0);
  assert.is(
    result.applied.actors.get(t.keys.echo)?.path,
    join(t.dir, "copy.wasm"),
  );
  await t.done();
});

reload(
  "rolls back a module that traps in _start and applies the rest",
  async () => {
    const t = await setup(echoOnly);
    const trapping = await signActor(await trappingModule(), {
      subject: t.subjects.echo,
      caps: ["test:record"],
    });
    await writeFile(t.dir, "trapping.wasm", trapping.bytes);
    const result = await t.reload([
      "actors: [./trapping.wasm, ./other.wasm]",
      "capabilities:",
      '  - id: "test:record"',
    ]);

    assert.is(result.failures.length, 1);
    assert.is(result.failures[0].line, 1);
    assert.match(
      result.failures[0].error.message,
      /new module failed to start: .*unreachable.*previous module keeps/,
    );
    const rolledBack = t.events.find((event) =>
      event.type === "actor_update_rolled_back"
    );
    assert.is(
      rolledBack && "actor" in rolledBack && rolledBack.actor,
      t.keys.echo,
    );
    assert.is(result.summary.actorsStarted, 1, "other started anyway");
    assert.is(result.summary.bindingsRemoved, 1, "the binding went anyway");
    const echoed = await t.host.invoke(t.keys.echo, "E", new Uint8Array([7]));
    assert.equal([...echoed], [7], "the old module serves");
    const previous = result.applied.actors.get(t.keys.echo);
    assert.is(previous?.path, join(t.dir, "echo.wasm"), "retried next time");
    await t.done();
  },
);

reload("refuses a lower revision unless the entry forces it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trellis-reload-" });
  const subject = await generateKeyPair("module");
  const sign = async (rev: number, build: string) =>
    (await signActor(withCustomSection(await guestModule(), build), {
      subject,
      rev,
    })).bytes;
  await writeFile(dir, "v2.wasm", await sign(2, "two"));
  await writeFile(dir, "v1.wasm", await sign(1, "one"));
  const host = await testHost();
  const catalog = { builtin: () => undefined };
  const parse = (line: string) =>
    parseManifest(line, { path: join(dir, "host.yaml"), env: {} });
  let applied = await startManifest(
    host,
    parse("actors: [./v2.wasm]"),
    catalog,
  );

  const refused = await reloadManifest(
    host,
    applied,
    parse("actors: [./v1.wasm]"),
    { catalog },
  );
  assert.match(
    refused.failures[0]?.error.message,
    /revision 1 is lower than the running revision 2/,
  );
  applied = refused.applied;
  const forced = await reloadManifest(
    host,
    applied,
    parse("actors: [{ path: ./v1.wasm, force: true }]"),
    { catalog },
  );
  assert.equal(forced.failures, []);
  assert.is(host.actor(subject.publicKey)?.claims.rev, 1);
  await host.stop();
  await Deno.remove(dir, { recursive: true });
});

reload(
  "changes nothing when a module cannot be read or verified",
  async () => {
    const t = await setup(echoOnly);
    // A section added after signing: the module no longer has its hash.
    const signed = await Deno.readFile(join(t.dir, "other.wasm"));
    const tampered = withCustomSection(signed, "added");
    await writeFile(t.dir, "tampered.wasm", tampered);

    await rejects(
      () => t.reload(["actors: [./echo.wasm, ./missing.wasm]"]),
      /^Cannot reload manifest ".*host\.yaml": actor ".*missing\.wasm" \(line 1\): /,
    );
    await rejects(
      () => t.reload(["actors: [./echo.wasm, ./tampered.wasm]"]),
      /actor ".*tampered\.wasm" \(line 1\): .*hash/,
    );
    assert.equal(t.events, []);
    assert.equal(t.host.bindings().length, 1);
    await t.done();
  },
);

reload("refuses two entries with the same identity", async () => {
  const t = await setup(echoOnly);
  await Deno.copyFile(join(t.dir, "echo.wasm"), join(t.dir, "copy.wasm"));
  const error = await rejects(
    () => t.reload(["actors:", "  - ./echo.wasm", "  - ./copy.wasm"]),
    /^Invalid manifest ".*host\.yaml" line 3: "actors\[1\]" has the module identity/,
  );
  assert.match(error.message, /of "actors\[0\]" \(line 2\)/);
  assert.equal(t.events, []);
  await t.done();
});

reload.run();
