/**
 * Reads the local admin endpoint, over its Unix socket or a TCP address,
 * with a plain HTTP/1.1 request: what `trellis status` uses.
 *
 * @module
 */

/** Where the admin endpoint listens. */
export type AdminTarget =
  | { socketPath: string }
  | { hostname: string; port: number };

/** An answer of the admin endpoint. */
export interface AdminAnswer {
  status: number;
  body: string;
}

/** Sends `GET path` to the admin endpoint and reads the whole answer. */
export async function adminGet(
  target: AdminTarget,
  path: string,
): Promise<AdminAnswer> {
  const where = "socketPath" in target
    ? `socket "${target.socketPath}"`
    : `${target.hostname}:${target.port}`;
  let connection: Deno.Conn;
  try {
    connection = "socketPath" in target
      ? await Deno.connect({ transport: "unix", path: target.socketPath })
      : await Deno.connect(target);
  } catch (error) {
    throw new Error(
      `Cannot reach the admin endpoint at ${where}: ${
        (error as Error).message
      } (is trellis up running with this data directory?)`,
      { cause: error },
    );
  }
  try {
    const request = `GET ${path} HTTP/1.1\r\nHost: trellis\r\n` +
      "Connection: close\r\n\r\n";
    await connection.write(new TextEncoder().encode(request));
    const raw = await new Response(connection.readable).bytes();
    return parseAnswer(raw, where);
  } finally {
    try {
      connection.close();
    } catch {
      // Closed by reading to the end.
    }
  }
}

function parseAnswer(raw: Uint8Array, where: string): AdminAnswer {
  const split = indexOf(raw, [13, 10, 13, 10], 0);
  const head = new TextDecoder().decode(raw.subarray(0, Math.max(split, 0)));
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]);
  if (split === -1 || !Number.isInteger(status)) {
    throw new Error(`Cannot read the answer of ${where}: not HTTP`);
  }
  const body = raw.subarray(split + 4);
  const chunked = /\r\ntransfer-encoding: *chunked/i.test(head);
  return {
    status,
    body: new TextDecoder().decode(chunked ? unchunk(body) : body),
  };
}

// Chunk sizes count bytes, so the body is joined before decoding.
function unchunk(body: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  while (true) {
    const lineEnd = indexOf(body, [13, 10], at);
    if (lineEnd === -1) break;
    const sizeText = new TextDecoder().decode(body.subarray(at, lineEnd));
    const size = parseInt(sizeText, 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function indexOf(bytes: Uint8Array, pattern: number[], from: number): number {
  outer: for (let i = from; i <= bytes.length - pattern.length; i++) {
    for (let j = 0; j < pattern.length; j++) {
      if (bytes[i + j] !== pattern[j]) continue outer;
    }
    return i;
  }
  return -1;
}
