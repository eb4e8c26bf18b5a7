/** A host for tests, with a temporary data directory. */
import { Host, type HostOptions } from "../runtime/host.ts";
import { generateKeyPair } from "../runtime/ed25519.ts";
import { signActor } from "./sign.ts";
import { wat } from "./wat.ts";

/** A host on a fresh temporary data directory. */
export async function testHost(
  options: Partial<HostOptions> = {},
): Promise<Host> {
  const dataDir = await Deno.makeTempDir({ prefix: "trellis-test-" });
  const key = await generateKeyPair("server");
  return new Host({ id: key.publicKey, dataDir, ...options });
}

let guest: Promise<Uint8Array<ArrayBuffer>> | undefined;

/** The multi-purpose guest of tests/fixtures/guest.wat, unsigned. */
export function guestModule(): Promise<Uint8Array<ArrayBuffer>> {
  guest ??= Deno.readTextFile(
    new URL("./fixtures/guest.wat", import.meta.url),
  ).then(wat);
  return guest;
}

/** Encodes a host-call request for the test guest's `H` operation. */
export function hostCallPayload(
  binding: string,
  namespace: string,
  operation: string,
  body: Uint8Array | string = "",
): Uint8Array {
  const head = new TextEncoder().encode(
    `${binding}\n${namespace}\n${operation}\n`,
  );
  const tail = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const payload = new Uint8Array(head.length + tail.length);
  payload.set(head);
  payload.set(tail, head.length);
  return payload;
}

/** Text of bytes. */
export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/**
 * Two actors allowed to call each other, `first` and `second`, and the
 * payload of `first`'s `Host` operation that makes the call cycle
 * first -> second -> first.
 */
export async function cyclingActors() {
  const module = await guestModule();
  const plain = await signActor(module);
  const second = await signActor(module, { caps: [plain.key] });
  const first = await signActor(module, {
    subject: plain.subject,
    caps: [second.key],
  });
  const inner = hostCallPayload("", first.key, "Echo", "x");
  const cycle = hostCallPayload("", second.key, "Host", inner);
  return { first, second, cycle };
}
