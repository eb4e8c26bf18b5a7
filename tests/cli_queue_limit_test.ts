/** `trellis up --queue-limit N`: how many invocations may wait per actor. */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { runCli, startCli } from "./cli_harness.ts";
import { freePort } from "./http_server_harness.ts";
import { signActor } from "./sign.ts";
import { HEALTH_LOOPS, versionedGuest } from "./versioned_guest.ts";

const limit = suite("trellis up --queue-limit");
const dir = await Deno.makeTempDir({ prefix: "trellis-queue-" });
const manifest = join(dir, "host.yaml");
const port = freePort();

// The guest's `HealthRequest` loop runs on every operation starting with
// "H", so each `HandleRequest` holds the one instance until its deadline.
limit.before(async () => {
  const guest = await versionedGuest({ reply: "x", health: HEALTH_LOOPS });
  const actor = await signActor(guest, {
    name: "stuck",
    caps: ["wascc:http_server"],
  });
  await Deno.writeFile(join(dir, "stuck.wasm"), actor.bytes);
  await Deno.writeTextFile(
    manifest,
    [
      "actors: [./stuck.wasm]",
      "capabilities:",
      '  - id: "wascc:http_server"',
      "bindings:",
      `  - actor: ${actor.key}`,
      '    capability: "wascc:http_server"',
      `    values: { HOST: "127.0.0.1", PORT: "${port}" }`,
    ].join("\n"),
  );
});

limit.after(async () => {
  await Deno.remove(dir, { recursive: true });
});

const up = (...args: string[]) => [
  "up",
  "--standalone",
  "--log-format",
  "json",
  "--data-dir",
  join(dir, "data"),
  "--manifest",
  manifest,
  ...args,
];

limit("refuses a value that is not a whole number of at least 1", async () => {
  for (const value of ["0", "-1", "1.5", "many"]) {
    const result = await runCli(up("--queue-limit", value));
    assert.is(result.code, 2, value);
    assert.match(
      result.stderr,
      `Invalid --queue-limit "${value}": expected a whole number`,
    );
  }
});

limit("answers busy once the given number of requests wait", async () => {
  const host = startCli(up("--queue-limit", "1", "--deadline", "1500ms"));
  await host.waitForLine(/^trellis ready /, 15_000);
  const url = `http://127.0.0.1:${port}/`;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 300));

  try {
    const running = fetch(url);
    await pause();
    const waiting = fetch(url);
    await pause();
    const refused = await fetch(url);
    assert.is(refused.status, 503);
    await refused.body?.cancel();
    for (const response of await Promise.all([running, waiting])) {
      assert.is.not(response.status, 503);
      await response.body?.cancel();
    }
  } finally {
    host.signal("SIGTERM");
    assert.is((await host.exit(15_000)).code, 0);
  }
});

limit.run();
