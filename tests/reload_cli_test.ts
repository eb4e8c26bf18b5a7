import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { type CliProcess, runCli, startCli } from "./cli_harness.ts";
import { freePort } from "./http_server_harness.ts";
import {
  type CounterBuilds,
  counterBuilds,
  counterManifest,
  HttpLoad,
  type LogLine,
  logLines,
  waitForLogs,
  writeFile,
} from "./reload_harness.ts";

const UPDATES = 10;

const reloaded = (line: LogLine) => line.msg === "manifest reloaded";

/** Every value from the lowest to the highest, each exactly once. */
function assertNoGapNoRepeat(counts: number[]): void {
  const sorted = counts.toSorted((a, b) => a - b);
  for (let index = 1; index < sorted.length; index++) {
    if (sorted[index] !== sorted[index - 1] + 1) {
      assert.unreachable(
        `counts jump from ${sorted[index - 1]} to ${sorted[index]}`,
      );
    }
  }
}

const up = suite("trellis up reload");
const dir = await Deno.makeTempDir({ prefix: "trellis-reload-" });
const manifestPath = join(dir, "host.yaml");
const port = freePort();
const url = `http://127.0.0.1:${port}/hits`;
let builds: CounterBuilds;
let host: CliProcess | undefined;

up.before(async () => {
  builds = await counterBuilds();
  await writeFile(dir, "plain.wasm", builds.plain);
  await writeFile(dir, "next.wasm", builds.next);
  await writeFile(dir, "trapping.wasm", builds.trapping);
  await Deno.writeTextFile(
    manifestPath,
    counterManifest("plain.wasm", builds.key, port),
  );
  host = startCli([
    "up",
    "--standalone",
    "--manifest",
    manifestPath,
    "--data-dir",
    join(dir, "data"),
    "--log-format",
    "json",
  ]);
  await host.waitForLine(/^trellis ready /, 60_000);
});

up.after(async () => {
  host?.kill();
  await Deno.remove(dir, { recursive: true });
});

/** Points the manifest at `file`, sends SIGHUP, waits for the reload. */
async function reloadWith(file: string): Promise<LogLine> {
  const before = logLines(host!).filter(reloaded).length;
  await Deno.writeTextFile(
    manifestPath,
    counterManifest(file, builds.key, port),
  );
  host!.signal("SIGHUP");
  const lines = await waitForLogs(host!, reloaded, before + 1);
  return lines[before];
}

up(
  "ten live updates under steady load drop no request and lose no count",
  async () => {
    const load = new HttpLoad(url, 8, { requests: 100_000, ms: 90_000 });
    try {
      await load.waitForReplies(50);
      for (let update = 0; update < UPDATES; update++) {
        const summary = await reloadWith(
          update % 2 === 0 ? "next.wasm" : "plain.wasm",
        );
        assert.is(summary.actorsUpdated, 1, `update ${update + 1}`);
        assert.is(summary.failed, 0, `update ${update + 1}`);
        await load.waitForReplies(20);
      }
    } finally {
      await load.stop();
    }

    assert.equal(load.failures, [], "failed requests");
    const builds = new Set(load.replies.map((reply) => reply.build ?? "plain"));
    assert.equal([...builds].sort(), ["next", "plain"]);
    assertNoGapNoRepeat(load.replies.map((reply) => reply.count));
    const completed = logLines(host!)
      .filter((line) => line.msg === "actor update complete");
    assert.is(completed.length, UPDATES);
  },
);

up(
  "a module that traps in _start is rolled back; the old one serves",
  async () => {
    const summary = await reloadWith("trapping.wasm");
    assert.is(summary.actorsUpdated, 0);
    assert.is(summary.failed, 1);
    const lines = logLines(host!);
    const rolledBack = lines.find((line) =>
      line.msg === "actor update rolled back"
    );
    assert.ok(rolledBack, "rollback event logged");
    assert.is(rolledBack.actor, builds.key);
    const failure = lines.find((line) => line.msg === "manifest change failed");
    assert.is(failure?.level, "error");
    assert.match(
      String(failure?.error),
      /failed to start: .*unreachable.*; the previous module keeps serving/,
    );

    const response = await fetch(url);
    assert.is(response.status, 200);
    const reply = await response.json();
    assert.is(reply.build, undefined, "the plain build still answers");
  },
);

up(
  "an invalid manifest changes nothing and is reported in one error line",
  async () => {
    const before = host!.stderr.split("\n").length;
    const counted = await (await fetch(url)).json();
    await Deno.writeTextFile(manifestPath, "actors: [./plain.wasm\n");
    host!.signal("SIGHUP");
    await waitForLogs(
      host!,
      (line) => line.msg === "manifest reload failed",
      1,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    const written = host!.stderr.split("\n").slice(before - 1)
      .filter((line) => line !== "");
    assert.is(written.length, 1, `new stderr lines:\n${written.join("\n")}`);
    const line = JSON.parse(written[0]) as LogLine;
    assert.is(line.level, "error");
    assert.is(line.manifest, manifestPath);
    assert.match(
      String(line.error),
      `Invalid manifest "${manifestPath}" line 2: cannot parse`,
    );
    const after = await (await fetch(url)).json();
    assert.is(after.count, counted.count + 1, "the host still serves");
  },
);

up("exits 0 on SIGTERM after reloading", async () => {
  host!.signal("SIGTERM");
  const result = await host!.exit();
  assert.is(result.code, 0);
  host = undefined;
});

up.run();

const watch = suite("trellis up --watch");

watch("reloads once the manifest file changes", async () => {
  const watched = await Deno.makeTempDir({ prefix: "trellis-watch-" });
  const path = join(watched, "host.yaml");
  const builds = await counterBuilds();
  await writeFile(watched, "plain.wasm", builds.plain);
  await writeFile(watched, "next.wasm", builds.next);
  const port = freePort();
  await Deno.writeTextFile(
    path,
    counterManifest("plain.wasm", builds.key, port),
  );
  const process = startCli([
    "up",
    "--standalone",
    "--manifest",
    path,
    "--watch",
    "--data-dir",
    join(watched, "data"),
    "--log-format",
    "json",
  ]);
  try {
    await process.waitForLine(/^trellis ready /, 60_000);
    const manifest = counterManifest("next.wasm", builds.key, port);
    // An editor's save: a new file renamed over the old one, then a touch.
    await Deno.writeTextFile(`${path}.tmp`, manifest);
    await Deno.rename(`${path}.tmp`, path);
    await Deno.writeTextFile(path, manifest);

    const [summary] = await waitForLogs(process, reloaded, 1);
    assert.is(summary.actorsUpdated, 1);
    const reply = await (await fetch(`http://127.0.0.1:${port}/`)).json();
    assert.is(reply.build, "next");
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.is(logLines(process).filter(reloaded).length, 1, "one reload");
  } finally {
    process.signal("SIGTERM");
    await process.exit();
    await Deno.remove(watched, { recursive: true });
  }
});

watch("is a usage error without --manifest", async () => {
  const result = await runCli(["up", "--standalone", "--watch"]);
  assert.is(result.code, 2);
  assert.match(result.stderr, `Flag "--watch" needs "--manifest"`);
});

watch.run();
