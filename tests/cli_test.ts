import { suite } from "uvu";
import * as assert from "uvu/assert";
import { VERSION } from "../main.ts";
import { linesOf, runCli } from "./cli_harness.ts";

const cli = suite("trellis");

cli("--version prints the version alone on stdout", async () => {
  const result = await runCli(["--version"]);
  assert.is(result.code, 0);
  assert.is(result.stdout, `trellis ${VERSION}\n`);
  assert.is(result.stderr, "");
});

cli("help prints the usage of every command and exits 0", async () => {
  const result = await runCli(["help"]);
  assert.is(result.code, 0);
  for (const command of ["up", "claims inspect", "claims sign", "keys gen"]) {
    assert.ok(result.stdout.includes(`trellis ${command}`), command);
  }
});

cli("no command or an unknown one is a usage error (exit 2)", async () => {
  const [none, unknown] = await Promise.all([
    runCli([]),
    runCli(["launch"]),
  ]);
  assert.is(none.code, 2);
  assert.is(none.stdout, "");
  assert.ok(none.stderr.includes("trellis up"));
  assert.is(unknown.code, 2);
  assert.is(unknown.stdout, "");
  assert.is(linesOf(unknown.stderr)[0], `Unknown command "launch"`);
});

cli.run();
