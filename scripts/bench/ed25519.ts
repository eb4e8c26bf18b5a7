/**
 * Ed25519 sign and verify rates of the implementations a host could use
 * for invocation tokens, on one key and one 200-byte input: WebCrypto
 * (one promise at a time, and many signatures in flight), `node:crypto`
 * and `@nats-io/nkeys` (tweetnacl). docs/lattice.md quotes the figures.
 *
 * `deno run -A scripts/bench/ed25519.ts [SECONDS]` (default 2 per
 * measure); it prints one line per measure.
 */
import { Buffer } from "node:buffer";
import {
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
} from "node:crypto";
import { loadNkeys } from "../../deps.ts";
import { decodeSeed } from "../../runtime/nkeys.ts";

const INPUT = new Uint8Array(200).map((_, index) => index);
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const IN_FLIGHT = 5000;

interface Measure {
  name: string;
  /** Performs `count` operations; resolves when all are done. */
  run(count: number): void | Promise<unknown>;
  /** Operations per `run` call. */
  batch: number;
}

async function main(seconds: number): Promise<void> {
  const nkeys = await loadNkeys();
  const pair = nkeys.createServer();
  const seedText = new TextDecoder().decode(pair.getSeed());
  const { seed } = decodeSeed(seedText);

  const measures = [
    ...await webCryptoMeasures(seed),
    ...nodeMeasures(seed),
    ...nkeysMeasures(nkeys, pair),
  ];
  for (const measure of measures) {
    const rate = await opsPerSecond(measure, seconds);
    console.log(
      `${measure.name.padEnd(44)} ${
        Math.round(rate).toLocaleString("en-US").padStart(8)
      } /s`,
    );
  }
}

async function webCryptoMeasures(seed: Uint8Array): Promise<Measure[]> {
  const der = new Uint8Array([...PKCS8_PREFIX, ...seed]);
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    der,
    "Ed25519",
    true,
    ["sign"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  const publicKey = await crypto.subtle.importKey(
    "jwk",
    { kty: jwk.kty, crv: jwk.crv, x: jwk.x },
    "Ed25519",
    true,
    ["verify"],
  );
  const signature = await crypto.subtle.sign("Ed25519", privateKey, INPUT);
  const sign = () => crypto.subtle.sign("Ed25519", privateKey, INPUT);
  const verify = async () => {
    const ok = await crypto.subtle.verify(
      "Ed25519",
      publicKey,
      signature,
      INPUT,
    );
    if (!ok) throw new Error("WebCrypto did not verify its own signature");
  };
  return [
    { name: "WebCrypto sign, one at a time", run: oneAtATime(sign), batch: 1 },
    {
      name: "WebCrypto verify, one at a time",
      run: oneAtATime(verify),
      batch: 1,
    },
    {
      name: `WebCrypto sign, ${IN_FLIGHT} in flight`,
      run: () => Promise.all(Array.from({ length: IN_FLIGHT }, sign)),
      batch: IN_FLIGHT,
    },
  ];
}

function nodeMeasures(seed: Uint8Array): Measure[] {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const publicKey = createPublicKey(privateKey);
  const signature = nodeSign(null, INPUT, privateKey);
  return [
    {
      name: "node:crypto sign",
      run: () => nodeSign(null, INPUT, privateKey),
      batch: 1,
    },
    {
      name: "node:crypto verify",
      run: () => {
        if (!nodeVerify(null, INPUT, publicKey, signature)) {
          throw new Error("node:crypto did not verify its own signature");
        }
      },
      batch: 1,
    },
  ];
}

type Nkeys = Awaited<ReturnType<typeof loadNkeys>>;

function nkeysMeasures(
  nkeys: Nkeys,
  pair: ReturnType<Nkeys["createServer"]>,
): Measure[] {
  const verifier = nkeys.fromPublic(pair.getPublicKey());
  const signature = pair.sign(INPUT);
  return [
    { name: "@nats-io/nkeys sign", run: () => pair.sign(INPUT), batch: 1 },
    {
      name: "@nats-io/nkeys verify",
      run: () => {
        if (!verifier.verify(INPUT, signature)) {
          throw new Error("nkeys did not verify its own signature");
        }
      },
      batch: 1,
    },
  ];
}

function oneAtATime(step: () => Promise<unknown>): Measure["run"] {
  return async () => void await step();
}

// A warm-up (the JIT needs a while for pure-JS code), then as many runs as fit in `seconds`.
async function opsPerSecond(measure: Measure, seconds: number) {
  await runFor(measure, Math.min(1, seconds / 2));
  return await runFor(measure, seconds);
}

async function runFor(measure: Measure, seconds: number): Promise<number> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let done = 0;
  while (performance.now() < deadline) {
    const result = measure.run(measure.batch);
    if (result instanceof Promise) await result;
    done += measure.batch;
  }
  return done / ((performance.now() - started) / 1000);
}

if (import.meta.main) {
  const seconds = Number(Deno.args[0] ?? 2);
  if (!(seconds > 0 && seconds <= 60)) {
    console.error(`Invalid SECONDS "${Deno.args[0]}": expected 0 to 60`);
    Deno.exit(2);
  }
  await main(seconds);
}
