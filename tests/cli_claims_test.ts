import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadNkeys } from "../deps.ts";
import { moduleHash, readClaims, verifyModule } from "../runtime/claims.ts";
import { writeSeedFile } from "../runtime/cli_files.ts";
import { generateKeyPair, type KeyPair } from "../runtime/ed25519.ts";
import { base64UrlDecode, decodeJwt } from "../runtime/jwt.ts";
import { readSections, withCustomSection } from "../runtime/wasm_sections.ts";
import { exampleActor } from "./actors.ts";
import { linesOf, runCli } from "./cli_harness.ts";
import { signActor } from "./sign.ts";

const claims = suite("trellis claims");
const CAPS = ["wascc:keyvalue", "wascc:http_server"];
const DAY_SECONDS = 86_400;

let scratch = "";
let unsigned = "";
let signed = "";
let account: KeyPair;
let accountFile = "";
let moduleFile = "";

claims.before(async () => {
  scratch = await Deno.makeTempDir({ prefix: "trellis-cli-claims-" });
  const counter = await exampleActor("counter");
  unsigned = `${scratch}/counter.wasm`;
  await Deno.writeFile(unsigned, counter);

  account = await generateKeyPair("account");
  accountFile = `${scratch}/account.nk`;
  await writeSeedFile(accountFile, account.seed);
  const subject = await generateKeyPair("module");
  moduleFile = `${scratch}/module.nk`;
  await writeSeedFile(moduleFile, subject.seed);

  signed = `${scratch}/signed.wasm`;
  const module = await signActor(counter, {
    issuer: account,
    subject,
    name: "counter",
    caps: CAPS,
  });
  await Deno.writeFile(signed, module.bytes);
});

claims.after(async () => {
  await Deno.remove(scratch, { recursive: true });
});

/** `claims sign` of the counter with the given seed files and flags. */
function sign(
  output: string,
  issuer: string,
  subject: string,
  more: string[] = [],
) {
  return runCli([
    "claims",
    "sign",
    unsigned,
    "-o",
    output,
    "--issuer",
    issuer,
    "--subject",
    subject,
    "--name",
    "counter",
    ...more,
  ]);
}

claims("keys gen, sign and inspect make a module that verifies", async () => {
  const accountSeed = `${scratch}/flow-account.nk`;
  const moduleSeed = `${scratch}/flow-module.nk`;
  const [issuerKey, moduleKey] = await Promise.all([
    runCli(["keys", "gen", "account", "-o", accountSeed]),
    runCli(["keys", "gen", "module", "-o", moduleSeed]),
  ]);
  const output = `${scratch}/flow.wasm`;
  const signing = await runCli([
    "claims",
    "sign",
    unsigned,
    "-o",
    output,
    "--issuer",
    accountSeed,
    "--subject",
    moduleSeed,
    "--name",
    "counter",
    ...CAPS.flatMap((cap) => ["--cap", cap]),
    "--tag",
    "edge",
    "--rev",
    "3",
    "--ver",
    "1.2.0",
    "--expires-in",
    "30d",
  ]);
  assert.is(signing.stderr, "");
  assert.is(signing.code, 0);
  const hash = await moduleHash(await Deno.readFile(unsigned));
  assert.equal(linesOf(signing.stdout), [
    `module     ${moduleKey.stdout.trim()}`,
    `hash       ${hash}`,
  ]);
  assert.is((await Deno.stat(output)).mode! & 0o777, 0o644);

  const inspected = await runCli(["claims", "inspect", output]);
  assert.is(inspected.code, 0);
  const lines = linesOf(inspected.stdout);
  assert.ok(lines.includes("name       counter"), inspected.stdout);
  assert.ok(lines.includes(`caps       ${CAPS.join(", ")}`));
  assert.ok(lines.includes(`account    ${issuerKey.stdout.trim()}`));
  assert.ok(lines.includes("tags       edge"));
  assert.ok(lines.includes("revision   3"));
  assert.ok(lines.includes("version    1.2.0"));
  assert.is(lines.at(-1), "valid: signature, hash and times");

  const token = decodeJwt(readClaims(await Deno.readFile(output)).token);
  assert.is(token.payload.exp, Number(token.payload.iat) + 30 * DAY_SECONDS);
});

claims("the signature verifies with @nats-io/nkeys", async () => {
  const output = `${scratch}/nkeys.wasm`;
  const result = await sign(output, accountFile, moduleFile);
  assert.is(result.code, 0);

  const { token } = readClaims(await Deno.readFile(output));
  const [header, payload, signature] = token.split(".");
  const nkeys = await loadNkeys();
  const issuer = nkeys.fromPublic(account.publicKey);
  const bytes = (text: string) => new TextEncoder().encode(text);
  assert.ok(
    issuer.verify(bytes(`${header}.${payload}`), base64UrlDecode(signature)),
  );
  assert.not.ok(
    issuer.verify(bytes(`${header}.${payload}x`), base64UrlDecode(signature)),
  );
});

claims("sign replaces the jwt section of a signed module", async () => {
  const output = `${scratch}/resigned.wasm`;
  const result = await runCli([
    "claims",
    "sign",
    signed,
    "-o",
    output,
    "--issuer",
    accountFile,
    "--subject",
    moduleFile,
    "--name",
    "renamed",
  ]);
  assert.is(result.code, 0, result.stderr);

  const bytes = await Deno.readFile(output);
  const jwtSections = readSections(bytes).filter((section) =>
    section.name === "jwt"
  );
  assert.is(jwtSections.length, 1);
  const verified = await verifyModule(bytes);
  assert.is(verified.name, "renamed");
  assert.equal(verified.caps, []);
  assert.is(verified.hash, readClaims(await Deno.readFile(signed)).hash);
});

claims("sign --provider accepts a service key as subject", async () => {
  const service = await generateKeyPair("service");
  const serviceFile = `${scratch}/service.nk`;
  await writeSeedFile(serviceFile, service.seed);
  const output = `${scratch}/provider.wasm`;

  const [asActor, asProvider] = await Promise.all([
    sign(`${scratch}/refused.wasm`, accountFile, serviceFile),
    sign(output, accountFile, serviceFile, [
      "--provider",
      "--not-before",
      "1h",
      "--json",
    ]),
  ]);
  assert.is(asActor.code, 1);
  assert.match(asActor.stderr, /expected a module key \(M\), got a service/);
  assert.is(asProvider.code, 0, asProvider.stderr);
  assert.equal(JSON.parse(asProvider.stdout).module, service.publicKey);

  const read = readClaims(await Deno.readFile(output));
  assert.ok(read.provider);
  assert.is(read.notBefore, read.issuedAt + 3600);
});

claims("sign refuses seeds of the wrong kind in one line", async () => {
  const output = `${scratch}/wrong-kind.wasm`;
  const [issuerIsModule, subjectIsAccount] = await Promise.all([
    sign(output, moduleFile, moduleFile),
    sign(output, accountFile, accountFile),
  ]);
  assert.is(issuerIsModule.code, 1);
  assert.equal(linesOf(issuerIsModule.stderr), [
    `Cannot use issuer seed file "${moduleFile}": expected an account key ` +
    "(A), got a module key (M)",
  ]);
  assert.is(subjectIsAccount.code, 1);
  assert.equal(linesOf(subjectIsAccount.stderr), [
    `Cannot use subject seed file "${accountFile}": expected a module key ` +
    "(M), got an account key (A)",
  ]);
  assert.is(issuerIsModule.stdout + subjectIsAccount.stdout, "");
  assert.not.ok(await exists(output));
});

claims("sign reports missing and malformed seed files", async () => {
  const missing = `${scratch}/absent.nk`;
  const malformed = `${scratch}/malformed.nk`;
  const secretLooking = "S" + "A".repeat(57);
  await Deno.writeTextFile(malformed, secretLooking + "\n");
  const output = `${scratch}/unused.wasm`;

  const [noFile, badSeed] = await Promise.all([
    sign(output, missing, moduleFile),
    sign(output, accountFile, malformed),
  ]);
  assert.is(noFile.code, 1);
  assert.equal(linesOf(noFile.stderr), [
    `Cannot read issuer seed file "${missing}": no such file`,
  ]);
  assert.is(badSeed.code, 1);
  assert.match(
    badSeed.stderr,
    /^Cannot read subject seed file ".*malformed\.nk": not a seed \(checksum mismatch\)\n$/,
  );
  assert.not.ok(badSeed.stderr.includes(secretLooking));
  assert.not.ok(await exists(output));
});

claims("sign usage errors exit 2 and write nothing", async () => {
  const output = `${scratch}/usage.wasm`;
  const base = ["--issuer", accountFile, "--subject", moduleFile];
  const results = await Promise.all([
    runCli(["claims", "sign", unsigned, "-o", output, ...base]),
    runCli(["claims", "sign", unsigned, ...base, "--name", "n"]),
    sign(output, accountFile, moduleFile, ["--rev", "three"]),
    sign(output, accountFile, moduleFile, ["--expires-in", "soon"]),
  ]);
  const firstLines = results.map((result) => linesOf(result.stderr)[0]);
  assert.equal(firstLines, [
    `Missing flag "--name"`,
    "Missing the output file (-o OUT.wasm)",
    `Invalid --rev "three": expected a whole number such as 3`,
    `Invalid --expires-in "soon": expected a duration such as 500ms or 10s`,
  ]);
  for (const result of results) {
    assert.is(result.code, 2);
    assert.is(result.stdout, "");
  }
  assert.not.ok(await exists(output));
});

claims(
  "inspect fails in one line on unsigned, garbage or absent files",
  async () => {
    const garbage = `${scratch}/garbage.wasm`;
    await Deno.writeTextFile(garbage, "not a module");
    const absent = `${scratch}/absent.wasm`;

    const results = await Promise.all(
      [unsigned, garbage, absent].map((file) =>
        runCli(["claims", "inspect", file])
      ),
    );
    assert.equal(results.map((result) => linesOf(result.stderr)), [
      [
        `Cannot read claims of "${unsigned}": no "jwt" custom section ` +
        "(module is unsigned)",
      ],
      [`Cannot read claims of "${garbage}": not a WebAssembly module`],
      [`Cannot read "${absent}": no such file`],
    ]);
    for (const result of results) {
      assert.is(result.code, 1);
      assert.is(result.stdout, "");
    }
  },
);

claims("inspect names the failed check of a tampered module", async () => {
  const tampered = `${scratch}/tampered.wasm`;
  const bytes = await Deno.readFile(signed);
  await Deno.writeFile(
    tampered,
    withCustomSection(bytes, "extra", Uint8Array.of(1, 2, 3)),
  );

  const [text, json] = await Promise.all([
    runCli(["claims", "inspect", tampered]),
    runCli(["claims", "inspect", tampered, "--json"]),
  ]);
  assert.is(text.code, 1);
  assert.ok(linesOf(text.stdout).includes("name       counter"));
  assert.match(
    linesOf(text.stdout).at(-1)!,
    /^invalid: Cannot verify claims: module hash mismatch/,
  );
  assert.is(json.code, 1);
  const report = JSON.parse(json.stdout);
  assert.is(report.valid, false);
  assert.is(report.check, "hash");
  assert.equal(report.caps, CAPS);
  assert.is(report.token, undefined);
});

claims("inspect --json of a valid module says valid", async () => {
  const result = await runCli(["claims", "inspect", signed, "--json"]);
  assert.is(result.code, 0);
  const report = JSON.parse(result.stdout);
  assert.is(report.valid, true);
  assert.is(report.name, "counter");
  assert.is(report.issuer, account.publicKey);
  assert.is(report.problem, undefined);
});

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

claims.run();
