import { suite } from "uvu";
import * as assert from "uvu/assert";
import { decode, encode } from "../runtime/codec.ts";
import { exampleActor, testActor } from "./actors.ts";
import { startGuest } from "./tiny_wapc_host.ts";

const text = new TextEncoder();
const abi = suite("actors over waPC");

abi("Echo answers with its input", async () => {
  const payload = text.encode("x".repeat(70_000));
  for (const bytes of [await testActor("echo"), await exampleActor("echo")]) {
    const guest = await startGuest(bytes);
    assert.equal(guest.call("Echo", payload), { ok: true, response: payload });
  }
});

abi("Fail answers with the guest error", async () => {
  const guest = await startGuest(await testActor("echo"));
  const reply = guest.call("Fail", new Uint8Array());
  assert.equal(reply, { ok: false, error: "failed on purpose" });
});

abi("an unknown operation answers with a guest error", async () => {
  const guest = await startGuest(await testActor("echo"));
  const reply = guest.call("Nope", new Uint8Array());
  assert.equal(reply, { ok: false, error: `Could not find function "Nope"` });
});

abi("Trap traps and the instance answers the next call", async () => {
  const guest = await startGuest(await testActor("echo"));
  assert.throws(
    () => guest.call("Trap", new Uint8Array()),
    (error: unknown) => error instanceof WebAssembly.RuntimeError,
  );
  const payload = text.encode("still here");
  assert.equal(guest.call("Echo", payload), { ok: true, response: payload });
});

abi("Log sends the payload text to __console_log", async () => {
  const guest = await startGuest(await testActor("echo"));
  const reply = guest.call("Log", text.encode("hello log"));
  assert.equal(reply, { ok: true, response: new Uint8Array() });
  assert.equal(guest.logs, ["hello log"]);
});

abi("keeps memory bounded over many calls", async () => {
  const guest = await startGuest(await testActor("echo"));
  const payload = new Uint8Array(64 * 1024).fill(7);
  for (let i = 0; i < 2000; i++) guest.call("Echo", payload);
  assert.ok(guest.memoryBytes() <= 8 * 1024 * 1024, `${guest.memoryBytes()}`);
});

const request = {
  method: "POST",
  path: "/things",
  queryString: "a=1",
  header: { "content-type": "text/plain" },
  body: text.encode(`say "hi"\n`),
};

abi("the echo example describes the request as JSON", async () => {
  const guest = await startGuest(await exampleActor("echo"));
  const reply = guest.call("HandleRequest", encode(request));

  const response = decode(reply.response!) as Record<string, unknown>;
  assert.equal(response.statusCode, 200);
  assert.equal(response.status, "OK");
  assert.equal(response.header, { "content-type": "application/json" });
  const body = new TextDecoder().decode(response.body as Uint8Array);
  assert.equal(JSON.parse(body), {
    method: "POST",
    path: "/things",
    query: "a=1",
    body: `say "hi"\n`,
  });
});

abi("the echo test actor answers HandleRequest with the body", async () => {
  const guest = await startGuest(await testActor("echo"));
  const reply = guest.call("HandleRequest", encode(request));
  const response = decode(reply.response!) as Record<string, unknown>;
  assert.equal(response.statusCode, 200);
  assert.equal(response.body, request.body);
});

abi("caller makes the host call and answers with its response", async () => {
  const calls: unknown[] = [];
  const guest = await startGuest(await testActor("caller"), (...call) => {
    calls.push(call);
    return { response: text.encode("pong") };
  });
  const reply = guest.call(
    "Call",
    encode({
      binding: "b",
      namespace: "wascc:messaging",
      operation: "Ping",
      payload: text.encode("ping"),
    }),
  );
  assert.equal(reply, { ok: true, response: text.encode("pong") });
  assert.equal(calls, [["b", "wascc:messaging", "Ping", text.encode("ping")]]);
});

abi("caller fails with exactly the host error text", async () => {
  const guest = await startGuest(
    await testActor("caller"),
    () => ({ error: 'Cannot call "x": nope' }),
  );
  const payload = { binding: "", namespace: "x", operation: "y", payload: [] };
  const reply = guest.call("Call", encode(payload));
  assert.equal(reply, { ok: false, error: 'Cannot call "x": nope' });
});

abi("the counter example adds one under the path's key", async () => {
  const calls: unknown[] = [];
  const guest = await startGuest(
    await exampleActor("counter"),
    (binding, namespace, operation, payload) => {
      calls.push([binding, namespace, operation, decode(payload)]);
      return { response: encode({ value: 41 }) };
    },
  );
  const reply = guest.call("HandleRequest", encode(request));

  assert.equal(calls, [
    ["default", "wascc:keyvalue", "Add", { key: "counter:/things", value: 1 }],
  ]);
  const response = decode(reply.response!) as Record<string, unknown>;
  assert.equal(response.statusCode, 200);
  assert.equal(response.header, { "content-type": "application/json" });
  const body = new TextDecoder().decode(response.body as Uint8Array);
  assert.equal(JSON.parse(body), { count: 41 });
});

abi("the counter example fails with the host error text", async () => {
  const guest = await startGuest(
    await exampleActor("counter"),
    () => ({ error: "keyvalue is down" }),
  );
  const reply = guest.call("HandleRequest", encode(request));
  assert.equal(reply, { ok: false, error: "keyvalue is down" });
});

abi.run();
