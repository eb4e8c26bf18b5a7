import { suite } from "uvu";
import * as assert from "uvu/assert";
import { encode } from "../runtime/codec.ts";
import {
  ACTOR_A,
  boundProvider,
  bytes,
  exactly,
  freePort,
  performRequest,
  startServer,
  text,
} from "./http_client_harness.ts";
import { rejects } from "./rejects.ts";

const mapping = suite("HttpClient mapping");

mapping("sends a GET with its headers as the actor gave them", async () => {
  const server = startServer(() => new Response("fine"));
  const provider = await boundProvider();
  try {
    await performRequest(provider, {
      method: "GET",
      path: `${server.base}/items/a%20b`,
      header: { "X-Custom-Thing": "Value One", Accept: "text/plain" },
    });

    assert.is(server.seen.length, 1);
    const [seen] = server.seen;
    assert.is(seen.method, "GET");
    assert.is(seen.url.pathname, "/items/a%20b");
    assert.is(seen.url.search, "");
    assert.is(seen.headers.get("x-custom-thing"), "Value One");
    assert.is(seen.headers.get("accept"), "text/plain");
    assert.equal([...seen.body], []);
  } finally {
    await provider.stop();
    await server.close();
  }
});

mapping("sends a POST body byte for byte", async () => {
  const server = startServer(() => new Response(null, { status: 204 }));
  const provider = await boundProvider();
  try {
    const body = new Uint8Array([0, 1, 2, 200, 255, 10]);
    const reply = await performRequest(provider, {
      method: "post",
      path: `${server.base}/upload`,
      header: { "content-type": "application/octet-stream" },
      body,
    });

    assert.is(reply.statusCode, 204);
    const [seen] = server.seen;
    assert.is(seen.method, "POST");
    assert.is(seen.headers.get("content-type"), "application/octet-stream");
    assert.is(seen.headers.get("content-length"), "6");
    assert.equal([...seen.body], [...body]);
  } finally {
    await provider.stop();
    await server.close();
  }
});

mapping("maps status, lower-cased and joined headers, body bytes", async () => {
  const body = new Uint8Array([123, 0, 255, 7]);
  const server = startServer(() =>
    new Response(body, {
      status: 201,
      headers: [
        ["X-Thing", "one"],
        ["x-thing", "two"],
        ["Content-Type", "application/x-thing"],
      ],
    })
  );
  const provider = await boundProvider();
  try {
    const reply = await performRequest(provider, { path: server.base });

    assert.is(reply.statusCode, 201);
    assert.is(reply.status, "Created");
    assert.is(reply.header["x-thing"], "one, two");
    assert.is(reply.header["content-type"], "application/x-thing");
    assert.not.ok("Content-Type" in reply.header);
    assert.ok(reply.body instanceof Uint8Array, "body is msgpack bin");
    assert.equal([...reply.body], [...body]);
  } finally {
    await provider.stop();
    await server.close();
  }
});

mapping("returns a non-2xx status as a reply, not an error", async () => {
  const server = startServer(() => new Response("gone", { status: 404 }));
  const provider = await boundProvider();
  try {
    const reply = await performRequest(provider, { path: server.base });
    assert.is(reply.statusCode, 404);
    assert.is(text(reply.body), "gone");
  } finally {
    await provider.stop();
    await server.close();
  }
});

mapping("appends queryString after ? or after an existing query", async () => {
  const server = startServer(() => new Response("ok"));
  const provider = await boundProvider();
  try {
    await performRequest(provider, {
      path: `${server.base}/search`,
      queryString: "q=a%20b&n=2",
    });
    await performRequest(provider, {
      path: `${server.base}/search?lang=en`,
      queryString: "q=x",
    });
    await performRequest(provider, {
      path: `${server.base}/plain`,
      queryString: "",
    });

    assert.equal(server.seen.map((seen) => seen.url.search), [
      "?q=a%20b&n=2",
      "?lang=en&q=x",
      "",
    ]);
  } finally {
    await provider.stop();
    await server.close();
  }
});

mapping("accepts the array form and an integer-array body", async () => {
  const server = startServer(() => new Response("ok"));
  const provider = await boundProvider();
  try {
    const reply = await provider.call({
      actor: ACTOR_A,
      operation: "PerformRequest",
      payload: encode(["PUT", `${server.base}/x`, "k=v", { "x-a": "1" }, [
        104,
        105,
      ]]),
    });
    assert.ok(reply.length > 0);
    const [seen] = server.seen;
    assert.is(seen.method, "PUT");
    assert.is(seen.url.search, "?k=v");
    assert.is(seen.headers.get("x-a"), "1");
    assert.is(text(seen.body), "hi");
  } finally {
    await provider.stop();
    await server.close();
  }
});

mapping.run();

const limits = suite("HttpClient limits");

limits("fails past TIMEOUT with an error naming the URL", async () => {
  const server = startServer(async (_, { released }) => {
    await released;
    return new Response("late");
  });
  const provider = await boundProvider({ TIMEOUT: "150" });
  try {
    const started = performance.now();
    const url = `${server.base}/slow`;
    const error = await rejects(
      () => performRequest(provider, { path: url }),
      exactly(
        'Cannot perform "PerformRequest": request to ' +
          '"http://127.0.0.1:PORT/slow" timed out after 150 ms (TIMEOUT)',
      ),
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 140 && elapsed < 2000, `took ${elapsed} ms`);
    assert.ok(error.message.includes(url));
    assert.not.ok(error.message.includes("    at "), "no stack trace");
  } finally {
    await provider.stop();
    await server.close();
  }
});

limits("counts the time spent reading a stalled body", async () => {
  const server = startServer(() =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(bytes("partial"));
        },
      }),
    )
  );
  const provider = await boundProvider({ TIMEOUT: "200" });
  try {
    await rejects(
      () => performRequest(provider, { path: `${server.base}/stall` }),
      /request to "http:\/\/127\.0\.0\.1:\d+\/stall" timed out after 200 ms/,
    );
  } finally {
    await provider.stop();
    await server.close();
  }
});

limits("cuts off an endless response at MAX_RESPONSE_BYTES", async () => {
  let served = 0;
  let cancelled = false;
  const chunk = new Uint8Array(16 * 1024).fill(97);
  const server = startServer(() =>
    new Response(
      new ReadableStream({
        pull(controller) {
          served += chunk.length;
          controller.enqueue(chunk);
        },
        cancel() {
          cancelled = true;
        },
      }),
    )
  );
  const provider = await boundProvider({ MAX_RESPONSE_BYTES: "65536" });
  try {
    await rejects(
      () => performRequest(provider, { path: `${server.base}/endless` }),
      exactly(
        'Cannot perform "PerformRequest": response from ' +
          '"http://127.0.0.1:PORT/endless" is larger than ' +
          "MAX_RESPONSE_BYTES (65536 bytes)",
      ),
    );

    const deadline = Date.now() + 2000;
    while (!cancelled && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(cancelled, "the server saw the client stop reading");
    const afterCancel = served;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.is(served, afterCancel, "nothing more was pulled");
  } finally {
    await provider.stop();
    await server.close();
  }
});

limits(
  "refuses a declared length over the limit, accepts one at it",
  async () => {
    const server = startServer(({ url }) =>
      new Response(new Uint8Array(Number(url.searchParams.get("n"))))
    );
    const provider = await boundProvider({ MAX_RESPONSE_BYTES: "1000" });
    try {
      const reply = await performRequest(provider, {
        path: server.base,
        queryString: "n=1000",
      });
      assert.is(reply.body.length, 1000);

      await rejects(
        () =>
          performRequest(provider, {
            path: server.base,
            queryString: "n=1001",
          }),
        /is larger than MAX_RESPONSE_BYTES \(1000 bytes\)/,
      );
    } finally {
      await provider.stop();
      await server.close();
    }
  },
);

limits("names the URL of a network failure, without a stack", async () => {
  const provider = await boundProvider();
  try {
    const url = `http://127.0.0.1:${freePort()}/nobody`;
    const error = await rejects(
      () => performRequest(provider, { path: url }),
      /^Cannot perform "PerformRequest": request to "[^"]+" failed: /,
    );
    assert.ok(error.message.includes(url));
    assert.match(error.message, /[Cc]onnection refused/);
    assert.not.ok(error.message.includes("    at "), "no stack trace");
  } finally {
    await provider.stop();
  }
});

limits("cancels an actor's request in flight when it is unbound", async () => {
  const server = startServer(async (_, { released }) => {
    await released;
    return new Response("late");
  });
  const provider = await boundProvider();
  try {
    const pending = performRequest(provider, { path: `${server.base}/wait` });
    while (server.seen.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await provider.unbind(ACTOR_A);
    await rejects(() => pending, /cancelled: actor unbound/);
  } finally {
    await provider.stop();
    await server.close();
  }
});

limits.run();
