/**
 * Certificates for tests of NATS over TLS, made with `openssl` in a
 * directory: `ca.pem`, `server.pem`/`server.key` (for 127.0.0.1 and
 * localhost) and `client.pem`/`client.key`, all signed by `ca.pem`; and
 * `stranger.pem`/`stranger.key`, a client certificate signed by
 * `other-ca.pem`, a CA the server does not know.
 */

/** Writes the CAs, keys and certificates into `dir`. */
export async function createCertificates(dir: string): Promise<void> {
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\n" +
      "extendedKeyUsage=serverAuth\n",
  );
  await Deno.writeTextFile(
    `${dir}/client.ext`,
    "extendedKeyUsage=clientAuth\n",
  );
  for (const ca of ["ca", "other-ca"]) {
    await openssl(
      "req",
      "-x509",
      ...newKey(`${ca}.key`),
      "-out",
      `${ca}.pem`,
      "-days",
      "1",
      "-subj",
      `/CN=trellis test ${ca}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
  }
  const parties = [
    ["server", "ca", "server"],
    ["client", "ca", "client"],
    ["stranger", "other-ca", "client"],
  ];
  for (const [party, ca, extensions] of parties) {
    await openssl(
      "req",
      ...newKey(`${party}.key`),
      "-out",
      `${party}.csr`,
      "-subj",
      `/CN=trellis test ${party}`,
    );
    await openssl(
      "x509",
      "-req",
      "-in",
      `${party}.csr`,
      "-CA",
      `${ca}.pem`,
      "-CAkey",
      `${ca}.key`,
      "-CAcreateserial",
      "-out",
      `${party}.pem`,
      "-days",
      "1",
      "-extfile",
      `${extensions}.ext`,
    );
  }

  function newKey(file: string): string[] {
    return [
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      file,
    ];
  }

  async function openssl(...args: string[]): Promise<void> {
    const { success, stderr } = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!success) {
      throw new Error(
        `Cannot run openssl ${args[0]}: ${new TextDecoder().decode(stderr)}`,
      );
    }
  }
}
