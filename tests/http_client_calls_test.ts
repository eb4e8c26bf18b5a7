import { suite } from "uvu";
import * as assert from "uvu/assert";
import { encode } from "../runtime/codec.ts";
import {
  ACTOR_A,
  ACTOR_B,
  boundProvider,
  bytes,
  exactly,
  performRequest,
  startServer,
} from "./http_client_harness.ts";
import { rejects } from "./rejects.ts";

const calls = suite("HttpClient calls");

calls("keeps each bound actor's own configuration", async () => {
  const server = startServer(() => new Response("ok"));
  const provider = await boundProvider({ ALLOWED_HOSTS: "localhost" });
  try {
    await provider.bind({ actor: ACTOR_B, binding: "default", values: {} });
    const reply = await performRequest(
      provider,
      { path: server.base },
      ACTOR_B,
    );
    assert.is(reply.statusCode, 200);
    await rejects(
      () => performRequest(provider, { path: server.base }, ACTOR_A),
      /host "127\.0\.0\.1:\d+" is not in ALLOWED_HOSTS/,
    );
    assert.is(server.seen.length, 1);
  } finally {
    await provider.stop();
    await server.close();
  }
});

calls("refuses a call from an actor that is not bound", async () => {
  const server = startServer(() => new Response("ok"));
  const provider = await boundProvider();
  try {
    await rejects(
      () => performRequest(provider, { path: server.base }, ACTOR_B),
      exactly(
        `Cannot perform "PerformRequest": actor "${ACTOR_B}" is not ` +
          "bound to wascc:http_client",
      ),
    );
    await provider.unbind(ACTOR_A);
    await rejects(
      () => performRequest(provider, { path: server.base }),
      /actor "MA+" is not bound/,
    );
    assert.is(server.seen.length, 0);
  } finally {
    await provider.stop();
    await server.close();
  }
});

calls("refuses an unknown operation", async () => {
  const provider = await boundProvider();
  try {
    await rejects(
      () =>
        provider.call({
          actor: ACTOR_A,
          operation: "HandleRequest",
          payload: encode({ path: "http://127.0.0.1/" }),
        }),
      /^Cannot perform "HandleRequest": not an operation of wascc:http_client$/,
    );
  } finally {
    await provider.stop();
  }
});

calls("refuses malformed payloads with clear errors", async () => {
  const provider = await boundProvider();
  const call = (payload: Uint8Array) =>
    provider.call({ actor: ACTOR_A, operation: "PerformRequest", payload });
  try {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(), /cannot decode payload: payload is empty/],
      [encode(42), /expected a map or an array, got a number/],
      [encode({ method: "GET" }), /missing field "path"/],
      [encode({ path: 7 }), /field "path": expected a string/],
      [
        encode({ path: "http://127.0.0.1/", header: ["a"] }),
        /field "header": expected a map/,
      ],
      [
        encode({ path: "http://127.0.0.1/", header: { "x-a": 1 } }),
        /field "header\.x-a": expected a string/,
      ],
      [
        encode({ path: "http://127.0.0.1/", body: true }),
        /field "body": expected bytes/,
      ],
      [encode({ path: "/a/b" }), /"\/a\/b" is not an absolute URL/],
      [encode({ path: "" }), /field "path" is empty/],
      [
        encode({ path: "http://127.0.0.1/", header: { "bad name": "x" } }),
        /header "bad name" is not a valid HTTP header/,
      ],
      [
        encode({ path: "http://127.0.0.1/", method: "TRACE" }),
        /method "TRACE" is not allowed/,
      ],
      [
        encode({ path: "http://127.0.0.1/", body: bytes("x") }),
        /method GET cannot carry a body/,
      ],
    ];
    for (const [payload, pattern] of cases) {
      const error = await rejects(() => call(payload), pattern);
      assert.match(error.message, /^Cannot perform "PerformRequest": /);
    }
  } finally {
    await provider.stop();
  }
});

calls("refuses schemes other than http and https", async () => {
  const provider = await boundProvider();
  try {
    for (const path of ["ftp://127.0.0.1/file", "file:///etc/passwd"]) {
      await rejects(
        () => performRequest(provider, { path }),
        exactly(
          `Cannot perform "PerformRequest": URL "${path}" is not http or https`,
        ),
      );
    }
  } finally {
    await provider.stop();
  }
});

calls("refuses binding values that are not valid", async () => {
  const provider = await boundProvider();
  try {
    const bind = (values: Record<string, string>) =>
      provider.bind({ actor: ACTOR_B, binding: "default", values });
    await rejects(
      () => bind({ TIMEOUT: "soon" }),
      /^Cannot bind actor "MB+" to wascc:http_client: TIMEOUT "soon" is not/,
    );
    await rejects(
      () => bind({ MAX_RESPONSE_BYTES: "-1" }),
      /MAX_RESPONSE_BYTES "-1" is not a number of bytes/,
    );
    await rejects(
      () => bind({ ALLOWED_HOSTS: "example.com, a/b" }),
      /cannot read ALLOWED_HOSTS: "a\/b" is not a host name/,
    );
  } finally {
    await provider.stop();
  }
});

calls.run();
