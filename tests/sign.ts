/** Signing test modules with a throwaway account. */
import { signModule, type SignOptions } from "../runtime/claims_sign.ts";
import { generateKeyPair, type KeyPair } from "../runtime/ed25519.ts";

let account: Promise<KeyPair> | undefined;

/** The account key every test module is signed with by default. */
export function testAccount(): Promise<KeyPair> {
  account ??= generateKeyPair("account");
  return account;
}

/** A signed module and its identity. */
export interface SignedModule {
  bytes: Uint8Array<ArrayBuffer>;
  key: string;
  subject: KeyPair;
}

/** Signs `bytes` as a new actor (or with `subject` to keep an identity). */
export async function signActor(
  bytes: Uint8Array,
  options: Partial<SignOptions> = {},
): Promise<SignedModule> {
  const subject = options.subject ?? await generateKeyPair("module");
  const signed = await signModule(bytes, {
    issuer: options.issuer ?? await testAccount(),
    name: "test actor",
    ...options,
    subject,
  });
  return { bytes: signed, key: subject.publicKey, subject };
}
