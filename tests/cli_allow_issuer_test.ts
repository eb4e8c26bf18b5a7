/** `trellis up --allow-issuer KEY`: only modules those accounts signed. */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { generateKeyPair } from "../runtime/ed25519.ts";
import { testActor } from "./actors.ts";
import { runCli, startCli } from "./cli_harness.ts";
import { signActor, testAccount } from "./sign.ts";

const issuers = suite("trellis up --allow-issuer");
const dir = await Deno.makeTempDir({ prefix: "trellis-issuer-" });
const manifest = join(dir, "host.yaml");

issuers.before(async () => {
  const actor = await signActor(await testActor("echo"), { name: "echo" });
  await Deno.writeFile(join(dir, "echo.wasm"), actor.bytes);
  await Deno.writeTextFile(manifest, "actors:\n  - ./echo.wasm\n");
});

issuers.after(async () => {
  await Deno.remove(dir, { recursive: true });
});

const up = (
  ...args: string[]
) => ["up", "--standalone", "--manifest", manifest, ...args];

issuers("refuses a value that is not an account key", async () => {
  const result = await runCli(up("--allow-issuer", "ANOTAKEY"));
  assert.is(result.code, 2);
  assert.match(result.stderr, /Invalid --allow-issuer "ANOTAKEY"/);
});

issuers("refuses a module signed by another account", async () => {
  const other = await generateKeyPair("account");
  const result = await runCli(
    up("--data-dir", join(dir, "other"), "--allow-issuer", other.publicKey),
  );
  assert.is(result.code, 1);
  assert.match(result.stderr, /echo\.wasm.*issuer/);
});

issuers("runs a module signed by an allowed account", async () => {
  const account = await testAccount();
  const host = startCli(
    up("--data-dir", join(dir, "allowed"), "--allow-issuer", account.publicKey),
  );
  const ready = await host.waitForLine(/^trellis ready /, 15_000);
  assert.match(ready, / actors=1 /);
  host.signal("SIGTERM");
  assert.is((await host.exit(15_000)).code, 0);
});

issuers.run();
