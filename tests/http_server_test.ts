import { suite } from "uvu";
import * as assert from "uvu/assert";
import { encode } from "../runtime/codec.ts";
import {
  ACTOR_A,
  bindOnFreePort,
  rawRequest,
  reply,
  startProvider,
  text,
} from "./http_server_harness.ts";

const mapping = suite("HttpServer mapping");

mapping(
  "delivers method, path, query, lower-cased headers and body",
  async () => {
    const { provider, deliveries } = startProvider(reply({ statusCode: 200 }));
    try {
      const base = await bindOnFreePort(provider);
      const body = new Uint8Array([0, 1, 2, 250, 255]);
      const response = await fetch(`${base}/items/a%20b/?x=1&y=two`, {
        method: "PUT",
        headers: { "X-Custom-Thing": "Value One" },
        body,
      });
      await response.body?.cancel();

      assert.is(deliveries.length, 1);
      const [{ actor, operation, request }] = deliveries;
      assert.is(actor, ACTOR_A);
      assert.is(operation, "HandleRequest");
      assert.is(request.method, "PUT");
      assert.is(request.path, "/items/a%20b/");
      assert.is(request.queryString, "x=1&y=two");
      const header = request.header as Record<string, string>;
      assert.is(header["x-custom-thing"], "Value One");
      assert.is(header["content-length"], "5");
      assert.ok(request.body instanceof Uint8Array, "body is msgpack bin");
      assert.equal([...(request.body as Uint8Array)], [...body]);
    } finally {
      await provider.stop();
    }
  },
);

mapping(
  "joins repeated headers and sends an empty query as empty",
  async () => {
    const { provider, deliveries } = startProvider(reply({ statusCode: 204 }));
    try {
      const base = await bindOnFreePort(provider);
      const raw = await rawRequest(
        base,
        "GET /plain HTTP/1.1\r\nHost: test\r\nX-Rep: one\r\nx-rep: two\r\n" +
          "Connection: close\r\n\r\n",
      );

      assert.match(raw, /^HTTP\/1\.1 204/);
      const { request } = deliveries[0];
      assert.is(request.path, "/plain");
      assert.is(request.queryString, "");
      assert.is(
        (request.header as Record<string, string>)["x-rep"],
        "one, two",
      );
      assert.equal([...(request.body as Uint8Array)], []);
    } finally {
      await provider.stop();
    }
  },
);

mapping("sends the actor's status, headers and body bytes", async () => {
  const body = new Uint8Array([123, 0, 255, 10]);
  const { provider } = startProvider(reply({
    statusCode: 201,
    status: "Created",
    header: {
      "Content-Type": "application/x-thing",
      "x-reply": "yes",
      "transfer-encoding": "gzip",
      "bad header name": "dropped",
    },
    body,
  }));
  try {
    const base = await bindOnFreePort(provider);
    const response = await fetch(`${base}/`);

    assert.is(response.status, 201);
    assert.is(response.headers.get("content-type"), "application/x-thing");
    assert.is(response.headers.get("x-reply"), "yes");
    assert.is(response.headers.get("transfer-encoding"), null);
    assert.equal([...await response.bytes()], [...body]);
  } finally {
    await provider.stop();
  }
});

mapping("reads a reply in array form with an integer-array body", async () => {
  const { provider } = startProvider(
    reply([202, "Accepted", { "x-form": "array" }, [104, 105]]),
  );
  try {
    const base = await bindOnFreePort(provider);
    const response = await fetch(`${base}/`);

    assert.is(response.status, 202);
    assert.is(response.headers.get("x-form"), "array");
    assert.is(await response.text(), "hi");
  } finally {
    await provider.stop();
  }
});

mapping("defaults missing reply fields to 200 with an empty body", async () => {
  const { provider } = startProvider(reply({ body: [111, 107] }));
  try {
    const base = await bindOnFreePort(provider);
    const withBody = await fetch(`${base}/`);
    assert.is(withBody.status, 200);
    assert.is(await withBody.text(), "ok");
  } finally {
    await provider.stop();
  }

  const empty = startProvider(reply({}));
  try {
    const base = await bindOnFreePort(empty.provider);
    const response = await fetch(`${base}/`);
    assert.is(response.status, 200);
    assert.is(await response.text(), "");
  } finally {
    await empty.provider.stop();
  }
});

mapping.run();

const limits = suite("HttpServer limits");

limits(
  "answers 413 to a Content-Length over MAX_BODY, not asking the actor",
  async () => {
    const { provider, deliveries } = startProvider(reply({ statusCode: 200 }));
    try {
      const base = await bindOnFreePort(provider, ACTOR_A, { MAX_BODY: "16" });
      const tooLarge = await fetch(`${base}/`, {
        method: "POST",
        body: new Uint8Array(17),
      });
      assert.is(tooLarge.status, 413);
      await tooLarge.body?.cancel();
      assert.is(deliveries.length, 0);

      const atLimit = await fetch(`${base}/`, {
        method: "POST",
        body: new Uint8Array(16),
      });
      assert.is(atLimit.status, 200);
      await atLimit.body?.cancel();
      assert.is(deliveries.length, 1);
    } finally {
      await provider.stop();
    }
  },
);

limits("stops reading a chunked body once it passes MAX_BODY", async () => {
  const { provider, deliveries } = startProvider(reply({ statusCode: 200 }));
  let release = () => {};
  const released = new Promise<void>((resolve) => release = resolve);
  try {
    // TIMEOUT turns a server that waits for the end of the body into 504.
    const base = await bindOnFreePort(provider, ACTOR_A, {
      MAX_BODY: "1024",
      TIMEOUT: "3000",
    });
    let sent = 0;
    const stalling = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= 2048) {
          await released;
          controller.close();
          return;
        }
        sent += 512;
        controller.enqueue(new Uint8Array(512));
      },
    });
    const response = await fetch(`${base}/upload`, {
      method: "POST",
      body: stalling,
      duplex: "half",
    } as RequestInit);

    assert.is(response.status, 413);
    assert.is(await response.text(), "payload too large");
    assert.is(deliveries.length, 0);
  } finally {
    release();
    await provider.stop();
  }
});

limits("answers 504 past TIMEOUT and drops the late reply", async () => {
  let replied = false;
  const { provider, logs } = startProvider(async () => {
    await new Promise((resolve) => setTimeout(resolve, 600));
    replied = true;
    return encode({ statusCode: 200, body: text("late") });
  });
  try {
    const base = await bindOnFreePort(provider, ACTOR_A, { TIMEOUT: "100" });
    const response = await fetch(`${base}/slow`);

    assert.is(response.status, 504);
    assert.is(await response.text(), "gateway timeout");
    assert.is(replied, false, "response came before the actor replied");
    assert.ok(logs.some((line) => line.level === "warn"));
  } finally {
    await provider.stop();
  }
});

limits.run();
