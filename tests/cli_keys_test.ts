import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadNkeys } from "../deps.ts";
import { keyPairFromSeed } from "../runtime/ed25519.ts";
import { linesOf, runCli } from "./cli_harness.ts";

const keys = suite("trellis keys");
let scratch = "";

keys.before(async () => {
  scratch = await Deno.makeTempDir({ prefix: "trellis-cli-keys-" });
});

keys.after(async () => {
  await Deno.remove(scratch, { recursive: true });
});

keys("gen prints a labelled public key and its seed", async () => {
  const result = await runCli(["keys", "gen", "account"]);
  assert.is(result.code, 0);
  const [publicLine, seedLine, ...rest] = linesOf(result.stdout);
  assert.equal(rest, []);
  const publicKey = /^public +(A[A-Z2-7]{55})$/.exec(publicLine)?.[1];
  const seed = /^seed +(SA[A-Z2-7]{56})$/.exec(seedLine)?.[1];
  assert.ok(publicKey, publicLine);
  assert.ok(seed, "seed line");

  const nkeys = await loadNkeys();
  assert.is(
    nkeys.fromSeed(new TextEncoder().encode(seed)).getPublicKey(),
    publicKey,
  );
});

keys("gen --json prints kind, public key and seed", async () => {
  const result = await runCli(["keys", "gen", "module", "--json"]);
  assert.is(result.code, 0);
  const shown = JSON.parse(result.stdout);
  assert.equal(Object.keys(shown).sort(), ["kind", "publicKey", "seed"]);
  assert.is(shown.kind, "module");
  assert.match(shown.publicKey, /^M[A-Z2-7]{55}$/);

  const pair = await keyPairFromSeed(shown.seed);
  assert.is(pair.kind, "module");
  assert.is(pair.publicKey, shown.publicKey);
});

keys("gen -o writes a 0600 seed file and prints only the key", async () => {
  const file = `${scratch}/host.nk`;
  const result = await runCli(["keys", "gen", "server", "-o", file]);
  assert.is(result.code, 0);
  const pair = await keyPairFromSeed((await Deno.readTextFile(file)).trim());
  assert.is(pair.kind, "server");
  assert.is(result.stdout, `${pair.publicKey}\n`);
  assert.is((await Deno.stat(file)).mode! & 0o777, 0o600);
});

keys("gen -o refuses an existing file unless --force", async () => {
  const file = `${scratch}/taken.nk`;
  await Deno.writeTextFile(file, "keep me\n");

  const refused = await runCli(["keys", "gen", "account", "-o", file]);
  assert.is(refused.code, 1);
  assert.is(refused.stdout, "");
  assert.equal(linesOf(refused.stderr), [
    `Cannot write seed file "${file}": file exists (use --force to replace it)`,
  ]);
  assert.is(await Deno.readTextFile(file), "keep me\n");

  const forced = await runCli(
    ["keys", "gen", "account", "-o", file, "--force", "--json"],
  );
  assert.is(forced.code, 0);
  const shown = JSON.parse(forced.stdout);
  assert.is(shown.seed, undefined);
  const pair = await keyPairFromSeed((await Deno.readTextFile(file)).trim());
  assert.is(pair.publicKey, shown.publicKey);
  assert.is((await Deno.stat(file)).mode! & 0o777, 0o600);
});

keys("an unknown kind or a missing kind is a usage error", async () => {
  const results = await Promise.all([
    runCli(["keys", "gen", "user"]),
    runCli(["keys", "gen"]),
    runCli(["keys", "make", "account"]),
  ]);
  for (const result of results) {
    assert.is(result.code, 2);
    assert.is(result.stdout, "");
  }
  assert.match(results[0].stderr, /^Unknown key kind "user"/);
});

keys.run();
