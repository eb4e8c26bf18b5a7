import { suite } from "uvu";
import * as assert from "uvu/assert";
import { echoOnly, setup } from "./reload_setup.ts";

const reload = suite("reloadManifest: providers, bindings, labels");

reload(
  "binds a changed binding again and adds and removes bindings",
  async () => {
    const t = await setup((keys) => [
      "actors: [./echo.wasm, ./other.wasm]",
      "capabilities:",
      '  - id: "test:record"',
      "bindings:",
      `  - { actor: ${keys.echo}, capability: "test:record", ` +
      'values: { A: "1" } }',
      `  - { actor: ${keys.other}, capability: "test:record" }`,
    ]);
    const result = await t.reload([
      "actors: [./echo.wasm, ./other.wasm]",
      "capabilities:",
      '  - id: "test:record"',
      "bindings:",
      `  - { actor: ${t.keys.echo}, capability: "test:record", ` +
      'values: { A: "2" } }',
      `  - { actor: ${t.keys.echo}, capability: "test:spare" }`,
    ]);

    assert.equal(result.failures, []);
    assert.is(result.summary.bindingsChanged, 1);
    assert.is(result.summary.bindingsAdded, 1);
    assert.is(result.summary.bindingsRemoved, 1);
    assert.is(result.summary.providersStarted, 1, "test:spare on demand");
    assert.equal(t.calls, [
      ["unbind", t.keys.other],
      ["unbind", t.keys.echo],
      ["bind", t.keys.echo, { A: "2" }],
    ]);
    const bound = t.host.bindings()
      .map(({ actor, capabilityId }) => `${capabilityId} ${actor}`).sort();
    assert.equal(bound, [
      `test:record ${t.keys.echo}`,
      `test:spare ${t.keys.echo}`,
    ]);
    await t.done();
  },
);

reload("starts and stops providers of capability entries", async () => {
  const t = await setup(echoOnly);
  const result = await t.reload([
    "actors: [./echo.wasm]",
    "capabilities:",
    '  - id: "test:spare"',
    '  - { id: "test:record", binding_name: second }',
  ]);

  assert.equal(result.failures, []);
  assert.is(result.summary.providersStarted, 2);
  assert.is(result.summary.providersStopped, 1);
  assert.ok(!t.host.hasProvider("test:record"));
  assert.ok(t.host.hasProvider("test:record", "second"));
  assert.ok(t.host.hasProvider("test:spare"));
  await t.done();
});

reload("reports labels that changed without applying them", async () => {
  const t = await setup(echoOnly);
  const result = await t.reload([
    "labels: { site: north }",
    ...echoOnly(t.keys),
  ]);
  assert.ok(result.summary.labelsChanged);
  assert.equal(t.host.labels, {});
  assert.equal(t.events, []);
  await t.done();
});

reload.run();
