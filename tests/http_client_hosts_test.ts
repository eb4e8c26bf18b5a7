import { suite } from "uvu";
import * as assert from "uvu/assert";
import { decode, encode } from "../runtime/codec.ts";
import {
  isHostAllowed,
  parseHostAllowList,
} from "../providers/host_allow_list.ts";
import { httpClientProvider } from "../providers/http_client.ts";
import { testActor } from "./actors.ts";
import { testHost } from "./host_helpers.ts";
import {
  boundProvider,
  exactly,
  performRequest,
  startServer,
  text,
} from "./http_client_harness.ts";
import { rejects } from "./rejects.ts";
import { signActor } from "./sign.ts";

const list = suite("Host allow list");

const allows = (entries: string, url: string) =>
  isHostAllowed(parseHostAllowList(entries), new URL(url));

list("matches names case-insensitively, with or without a port", () => {
  assert.ok(allows("Example.COM", "https://example.com/a"));
  assert.ok(allows("example.com", "http://EXAMPLE.com.:8080/"));
  assert.ok(allows(" a.test , example.com:8443 ", "https://example.com:8443"));
  assert.not.ok(allows("example.com:8443", "https://example.com/"));
  assert.ok(allows("example.com:443", "https://example.com/"));
  assert.not.ok(allows("example.com", "https://example.org/"));
  assert.not.ok(allows("example.com", "https://badexample.com/"));
  assert.ok(allows("[::1]:8080", "http://[0:0::1]:8080/"));
  assert.ok(allows("127.0.0.1", "http://2130706433/"));
  assert.ok(allows("bücher.example", "http://xn--bcher-kva.example/"));
});

list("lets *.domain match names below it, not the domain itself", () => {
  assert.ok(allows("*.example.com", "https://api.example.com/"));
  assert.ok(allows("*.example.com", "https://a.b.example.com/"));
  assert.not.ok(allows("*.example.com", "https://example.com/"));
  assert.not.ok(allows("*.example.com", "https://api.example.com.evil/"));
  assert.not.ok(allows("*.example.com", "https://apiexample.com/"));
  assert.ok(allows("*.example.com:8443", "https://x.example.com:8443/"));
  assert.not.ok(allows("*.example.com:8443", "https://x.example.com/"));
});

list("allows nothing when the list is blank", () => {
  assert.equal(parseHostAllowList(" , "), []);
  assert.not.ok(allows("", "http://localhost/"));
});

list("rejects entries that are not hosts", () => {
  for (
    const entry of ["a/b", "*", "*.", "a.*.com", "x:99999", "u@h", "*.1.2.3.4"]
  ) {
    assert.throws(
      () => parseHostAllowList(`ok.test,${entry}`),
      (error: Error) =>
        error instanceof TypeError &&
        error.message.includes(`"${entry}" is not a host name`),
      entry,
    );
  }
});

list.run();

const hosts = suite("HttpClient ALLOWED_HOSTS");

hosts(
  "refuses another host without connecting, accepts a listed one",
  async () => {
    const server = startServer(() => new Response("ok"));
    const provider = await boundProvider({ ALLOWED_HOSTS: "localhost" });
    try {
      await rejects(
        () => performRequest(provider, { path: `${server.base}/x` }),
        exactly(
          'Cannot perform "PerformRequest": host ' +
            `"127.0.0.1:${server.port}" is not in ALLOWED_HOSTS`,
        ),
      );
      assert.is(server.seen.length, 0, "the server saw nothing");

      const reply = await performRequest(provider, {
        path: `http://localhost:${server.port}/x`,
      });
      assert.is(reply.statusCode, 200);
      assert.is(server.seen.length, 1);
    } finally {
      await provider.stop();
      await server.close();
    }
  },
);

hosts("checks the port of a host:port entry", async () => {
  const server = startServer(() => new Response("ok"));
  const other = server.port === 65535 ? 65534 : server.port + 1;
  const provider = await boundProvider({
    ALLOWED_HOSTS: `127.0.0.1:${other}`,
  });
  try {
    await rejects(
      () => performRequest(provider, { path: server.base }),
      /is not in ALLOWED_HOSTS/,
    );
    await provider.bind({
      actor: "M" + "A".repeat(55),
      binding: "default",
      values: { ALLOWED_HOSTS: `127.0.0.1:${other}, 127.0.0.1:${server.port}` },
    });
    const reply = await performRequest(provider, { path: server.base });
    assert.is(reply.statusCode, 200);
    assert.is(server.seen.length, 1);
  } finally {
    await provider.stop();
    await server.close();
  }
});

hosts("lets a *. wildcard through and refuses the bare domain", async () => {
  const server = startServer(() => new Response("ok"));
  const provider = await boundProvider({ ALLOWED_HOSTS: "*.localhost" });
  try {
    await rejects(
      () =>
        performRequest(provider, { path: `http://localhost:${server.port}/` }),
      /host "localhost:\d+" is not in ALLOWED_HOSTS/,
    );
    // The name passes the list; with no resolver for it here, the request
    // then fails as a network error, not as a refusal.
    const error = await rejects(
      () =>
        performRequest(provider, {
          path: `http://api.localhost:${server.port}/`,
        }),
      /request to "http:\/\/api\.localhost:\d+\/" failed: /,
    );
    assert.not.match(error.message, /ALLOWED_HOSTS/);
    assert.is(server.seen.length, 0);
  } finally {
    await provider.stop();
    await server.close();
  }
});

hosts.run();

const redirects = suite("HttpClient redirects");

redirects("follows a redirect, turning a POST into a GET on 303", async () => {
  const server = startServer(({ url }) =>
    url.pathname === "/start"
      ? new Response(null, { status: 303, headers: { location: "/done" } })
      : new Response(`at ${url.pathname}`)
  );
  const provider = await boundProvider({ ALLOWED_HOSTS: "127.0.0.1" });
  try {
    const reply = await performRequest(provider, {
      method: "POST",
      path: `${server.base}/start`,
      header: { "content-type": "text/plain" },
      body: new TextEncoder().encode("form"),
    });
    assert.is(reply.statusCode, 200);
    assert.is(text(reply.body), "at /done");
    const [first, second] = server.seen;
    assert.is(first.method, "POST");
    assert.is(second.method, "GET");
    assert.equal([...second.body], []);
    assert.is(second.headers.get("content-type"), null);
  } finally {
    await provider.stop();
    await server.close();
  }
});

redirects("refuses a redirect to a host not in ALLOWED_HOSTS", async () => {
  const target = startServer(() => new Response("secret"));
  const server = startServer(() =>
    new Response(null, {
      status: 302,
      headers: { location: `http://localhost:${target.port}/inside` },
    })
  );
  const provider = await boundProvider({ ALLOWED_HOSTS: "127.0.0.1" });
  try {
    await rejects(
      () => performRequest(provider, { path: `${server.base}/out` }),
      exactly(
        'Cannot perform "PerformRequest": host "localhost:PORT" is not in ' +
          'ALLOWED_HOSTS (redirect from "http://127.0.0.1:PORT/out")',
      ),
    );
    assert.is(server.seen.length, 1);
    assert.is(target.seen.length, 0, "the redirect target saw nothing");
  } finally {
    await provider.stop();
    await server.close();
    await target.close();
  }
});

redirects("drops credentials when a redirect leaves the origin", async () => {
  const target = startServer(() => new Response("there"));
  const server = startServer(() =>
    new Response(null, {
      status: 307,
      headers: { location: `http://localhost:${target.port}/there` },
    })
  );
  const provider = await boundProvider();
  try {
    const reply = await performRequest(provider, {
      method: "PUT",
      path: server.base,
      header: { authorization: "Bearer s3cret", "x-keep": "yes" },
      body: new TextEncoder().encode("kept"),
    });
    assert.is(text(reply.body), "there");
    assert.is(server.seen[0].headers.get("authorization"), "Bearer s3cret");
    const [arrived] = target.seen;
    assert.is(arrived.method, "PUT", "307 keeps the method");
    assert.is(text(arrived.body), "kept", "307 keeps the body");
    assert.is(arrived.headers.get("authorization"), null);
    assert.is(arrived.headers.get("x-keep"), "yes");
  } finally {
    await provider.stop();
    await server.close();
    await target.close();
  }
});

redirects(
  "stops after MAX_REDIRECTS, or hands redirects over at 0",
  async () => {
    const server = startServer(({ url }) =>
      new Response(null, {
        status: 302,
        headers: { location: `/hop${Number(url.pathname.slice(4) || 0) + 1}` },
      })
    );
    const limited = await boundProvider({ MAX_REDIRECTS: "3" });
    const manual = await boundProvider({ MAX_REDIRECTS: "0" });
    try {
      await rejects(
        () => performRequest(limited, { path: `${server.base}/hop0` }),
        exactly(
          'Cannot perform "PerformRequest": too many redirects from ' +
            '"http://127.0.0.1:PORT/hop0": more than 3 (MAX_REDIRECTS)',
        ),
      );
      assert.is(server.seen.length, 4);

      const reply = await performRequest(manual, {
        path: `${server.base}/hop0`,
      });
      assert.is(reply.statusCode, 302);
      assert.is(reply.header.location, "/hop1");
      assert.is(server.seen.length, 5);
    } finally {
      await limited.stop();
      await manual.stop();
      await server.close();
    }
  },
);

redirects.run();

const host = suite("HttpClient through the host");

host("an actor's PerformRequest reaches the server and maps back", async () => {
  const server = startServer(({ url }) =>
    new Response(`hello ${url.searchParams.get("who")}`, {
      headers: { "x-from": "server" },
    })
  );
  const runtime = await testHost();
  try {
    await runtime.startProvider(httpClientProvider);
    const caller = await signActor(await testActor("caller"), {
      caps: ["wascc:http_client"],
    });
    await runtime.startActor(caller.bytes);
    await runtime.bind(caller.key, "wascc:http_client", "", {
      ALLOWED_HOSTS: "127.0.0.1",
    });
    const request = {
      method: "GET",
      path: `${server.base}/greet`,
      queryString: "who=actor",
      header: {},
      body: new Uint8Array(),
    };
    const reply = await runtime.invoke(
      caller.key,
      "Call",
      encode({
        binding: "default",
        namespace: "wascc:http_client",
        operation: "PerformRequest",
        payload: encode(request),
      }),
    );
    const response = decode(reply) as Record<string, unknown>;
    assert.is(response.statusCode, 200);
    assert.is(text(response.body as Uint8Array), "hello actor");
    assert.is(
      (response.header as Record<string, string>)["x-from"],
      "server",
    );
  } finally {
    await runtime.stop();
    await server.close();
  }
});

host.run();
