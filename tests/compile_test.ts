/**
 * `deno task compile` where the Deno runtime cannot be downloaded: it says
 * so in one line naming DENORT_BIN, and it refuses a DENORT_BIN that
 * builds something else than trellis.
 */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { REPO_DIR } from "./cli_harness.ts";

async function compile(env: Record<string, string>, offline: boolean) {
  const deno = Deno.execPath();
  const command = offline
    ? new Deno.Command("unshare", {
      args: ["-n", deno, "run", "-A", "scripts/compile.ts"],
      cwd: REPO_DIR,
      env,
      stdout: "piped",
      stderr: "piped",
    })
    : new Deno.Command(deno, {
      args: ["run", "-A", "scripts/compile.ts"],
      cwd: REPO_DIR,
      env,
      stdout: "piped",
      stderr: "piped",
    });
  const { code, stdout, stderr } = await command.output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr).trim(),
  };
}

const binary = suite("compile");

binary("fails in one line naming DENORT_BIN with no network", async () => {
  const result = await compile({}, true);
  assert.is(result.code, 1, result.stderr);
  const lines = result.stderr.split("\n");
  assert.is(lines.length, 1, result.stderr);
  assert.match(lines[0], /cannot be downloaded here; set DENORT_BIN/);
});

binary("refuses a DENORT_BIN that yields a Deno REPL", async () => {
  const result = await compile({ DENORT_BIN: Deno.execPath() }, false);
  assert.is(result.code, 1, result.stderr);
  assert.match(result.stderr, /is not trellis .*DENORT_BIN must point at/);
});

binary.run();
