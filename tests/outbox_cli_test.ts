/** `trellis up --upstream …` and `trellis outbox status` as processes. */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { runCli, startCli } from "./cli_harness.ts";

const cli = suite("trellis outbox status");

cli("reports an empty outbox of a host with --upstream", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trellis-outbox-cli-" });
  const host = startCli([
    "up",
    "--standalone",
    "--data-dir",
    dir,
    "--upstream",
    "telemetry.>",
    "--outbox-max-bytes",
    "1MiB",
    "--outbox-when-full",
    "drop-oldest",
  ]);
  try {
    await host.waitForLine(/^trellis ready /, 15_000);
    const json = await runCli([
      "outbox",
      "status",
      "--data-dir",
      dir,
      "--json",
    ]);
    assert.is(json.code, 0, json.stderr);
    const status = JSON.parse(json.stdout);
    assert.is(status.depth, 0);
    assert.is(status.dropped, 0);
    const text = await runCli(["status", "--data-dir", dir]);
    assert.match(text.stdout, /^outbox +0 waiting \(0 B\), 0 sent, 0 dropped/m);
  } finally {
    host.signal("SIGTERM");
    await host.exit(15_000);
    await Deno.remove(dir, { recursive: true });
  }
});

cli("refuses outbox flags without --upstream and bad values", async () => {
  for (
    const [args, error] of [
      [["--outbox-sync", "full"], /--outbox-sync needs --upstream/],
      [["--upstream", "a.>", "--outbox-sync", "always"], /normal or full/],
      [["--upstream", "a..b"], /empty token|Invalid|Cannot/],
    ] as const
  ) {
    const result = await runCli([
      "up",
      "--standalone",
      "--data-dir",
      join(await Deno.makeTempDir(), "d"),
      ...args,
    ]);
    assert.ok(result.code !== 0, `${args.join(" ")} refused`);
    assert.match(result.stderr, error);
  }
});

cli.run();
