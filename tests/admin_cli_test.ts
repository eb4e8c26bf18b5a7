/**
 * The local admin endpoint of a running `trellis up`, read with
 * `trellis status` over the Unix socket and over `--admin` TCP.
 */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { testActor } from "./actors.ts";
import { type CliProcess, runCli, startCli } from "./cli_harness.ts";
import { freePort } from "./http_server_harness.ts";
import { signActor } from "./sign.ts";

const admin = suite("trellis status");
const dir = await Deno.makeTempDir({ prefix: "trellis-admin-" });
const dataDir = join(dir, "data");
const adminPort = freePort();
let host: CliProcess;
let actorKey: string;

admin.before(async () => {
  const actor = await signActor(await testActor("echo"), { name: "echo" });
  actorKey = actor.key;
  await Deno.writeFile(join(dir, "echo.wasm"), actor.bytes);
  const manifest = join(dir, "host.yaml");
  await Deno.writeTextFile(
    manifest,
    "actors:\n  - { path: ./echo.wasm, instances: 2 }\n",
  );
  host = startCli([
    "up",
    "--nats",
    `nats://127.0.0.1:${freePort()}`,
    "--manifest",
    manifest,
    "--data-dir",
    dataDir,
    "--admin",
    `127.0.0.1:${adminPort}`,
  ]);
  await host.waitForLine(/^trellis ready /, 15_000);
});

admin.after(async () => {
  host.signal("SIGTERM");
  await host.exit(15_000);
  await Deno.remove(dir, { recursive: true });
});

admin("reads the host over its socket with no network", async () => {
  const result = await runCli(["status", "--data-dir", dataDir, "--json"]);
  assert.is(result.code, 0, result.stderr);
  const status = JSON.parse(result.stdout);
  assert.equal(
    status.host.actors.map((actor: { key: string; instances: number }) => [
      actor.key,
      actor.instances,
    ]),
    [[actorKey, 2]],
  );
  assert.is(status.link.state, "down");
  assert.match(status.link.reason, /.+/);
});

admin("prints a summary for people", async () => {
  const result = await runCli(["status", "--data-dir", dataDir]);
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stdout, /^host +N[A-Z0-9]{55} \(trellis /m);
  assert.match(result.stdout, /^link +down/m);
  assert.match(result.stdout, /^actors +echo ×2$/m);
});

admin("answers health and status over --admin", async () => {
  const health = await fetch(`http://127.0.0.1:${adminPort}/health`);
  assert.is(health.status, 200);
  assert.is(await health.text(), "ok\n");
  const result = await runCli([
    "status",
    "--admin",
    `127.0.0.1:${adminPort}`,
    "--json",
  ]);
  assert.is(result.code, 0, result.stderr);
  assert.is(JSON.parse(result.stdout).host.actors.length, 1);
});

admin("says clearly when no host runs on the data directory", async () => {
  const result = await runCli(["status", "--data-dir", join(dir, "none")]);
  assert.is(result.code, 1);
  assert.match(result.stderr, /Cannot reach the admin endpoint at socket/);
});

admin("refuses an outbox status when the host has no outbox", async () => {
  const result = await runCli(["outbox", "status", "--data-dir", dataDir]);
  assert.is(result.code, 1);
  assert.match(result.stderr, /no outbox: start it with --upstream/);
});

admin("refuses a second host on the same data directory", async () => {
  const result = await runCli(["up", "--standalone", "--data-dir", dataDir]);
  assert.is(result.code, 1);
  assert.match(
    result.stderr,
    /another trellis host is running on this data directory/,
  );
});

admin.run();
