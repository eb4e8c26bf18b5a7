/**
 * A nats-server in operator mode (decentralized JWT auth) for tests: the
 * server's configuration, and `.creds` files of users the server accepts
 * and of one it does not.
 */
import { loadNatsJwt } from "../deps.ts";

/** What an operator-mode test needs. */
export interface OperatorMode {
  /** nats-server configuration text trusting the operator. */
  config: string;
  /** A `.creds` file's bytes for a new user of the server's account. */
  userCreds(name: string): Promise<Uint8Array>;
  /** A `.creds` file's bytes for a user of an account the server lacks. */
  strangerCreds(): Promise<Uint8Array>;
}

/** Makes an operator, a system account and one application account. */
export async function operatorMode(): Promise<OperatorMode> {
  const jwt = await loadNatsJwt();
  const operator = jwt.createOperator();
  const system = jwt.createAccount();
  const account = jwt.createAccount();
  const signedBy = { signer: operator };
  // Limits left out of an account JWT count as zero: allow everything.
  const unlimited = {
    limits: {
      conn: -1,
      leaf: -1,
      subs: -1,
      data: -1,
      payload: -1,
      imports: -1,
      exports: -1,
      wildcards: true,
    },
  };
  const systemJwt = await jwt.encodeAccount("SYS", system, unlimited, signedBy);
  const accountJwt = await jwt.encodeAccount(
    "app",
    account,
    unlimited,
    signedBy,
  );
  const operatorJwt = await jwt.encodeOperator("trellis", operator, {
    system_account: system.getPublicKey(),
  });
  const credsOf = async (name: string, issuer: typeof account) => {
    const user = jwt.createUser();
    return jwt.fmtCreds(await jwt.encodeUser(name, user, issuer), user);
  };
  return {
    config: [
      `operator: ${operatorJwt}`,
      `system_account: ${system.getPublicKey()}`,
      "resolver: MEMORY",
      "resolver_preload: {",
      `  ${system.getPublicKey()}: ${systemJwt}`,
      `  ${account.getPublicKey()}: ${accountJwt}`,
      "}",
    ].join("\n"),
    userCreds: (name) => credsOf(name, account),
    strangerCreds: () => credsOf("stranger", jwt.createAccount()),
  };
}
