import { suite } from "uvu";
import * as assert from "uvu/assert";
import { encode } from "../runtime/codec.ts";
import { ActorBusyError, DeadlineExceededError } from "../runtime/errors.ts";
import {
  ACTOR_A,
  ACTOR_B,
  bindOnFreePort,
  freePort,
  reply,
  startProvider,
  text,
} from "./http_server_harness.ts";

const failures = suite("HttpServer failures");

failures("answers 500 with a generic body when the actor fails", async () => {
  const { provider, logs } = startProvider(() =>
    Promise.reject(new Error("secret token 7f3a leaked from /srv/app"))
  );
  try {
    const base = await bindOnFreePort(provider);
    const response = await fetch(`${base}/`);
    const body = await response.text();

    assert.is(response.status, 500);
    assert.is(body, "internal server error");
    assert.not.match(body, /secret|7f3a|srv/);
    const warning = logs.find((line) => line.level === "warn");
    assert.ok(warning, "the failure is logged");
    assert.is(warning.fields.actor, ACTOR_A);
    assert.match(String(warning.fields.error), /secret token 7f3a/);
  } finally {
    await provider.stop();
  }
});

failures("answers 500 to reply bytes that are not a response", async () => {
  const replies = [
    new Uint8Array([0xc1]),
    new Uint8Array([0x92, 0x01]),
    encode("just a string"),
    encode({ statusCode: "two hundred" }),
  ];
  let next = 0;
  const { provider, logs } = startProvider(() =>
    Promise.resolve(replies[next++])
  );
  try {
    const base = await bindOnFreePort(provider);
    for (const _ of replies) {
      const response = await fetch(`${base}/`);
      assert.is(response.status, 500);
      assert.is(await response.text(), "internal server error");
    }
    assert.is(logs.filter((line) => line.level === "warn").length, 4);
  } finally {
    await provider.stop();
  }
});

failures("answers 500 to a status outside 200-599", async () => {
  const statuses = [99, 100, 600, 1000, -1];
  let next = 0;
  const { provider } = startProvider(() =>
    Promise.resolve(encode({ statusCode: statuses[next++] }))
  );
  try {
    const base = await bindOnFreePort(provider);
    for (const status of statuses) {
      const response = await fetch(`${base}/`);
      assert.is(response.status, 500, `actor status ${status}`);
      await response.body?.cancel();
    }
  } finally {
    await provider.stop();
  }
});

failures(
  "answers 503 when the actor is busy and 504 past its deadline",
  async () => {
    const errors = [
      new ActorBusyError(ACTOR_A),
      new DeadlineExceededError(ACTOR_A, 50),
    ];
    let next = 0;
    const { provider } = startProvider(() => Promise.reject(errors[next++]));
    try {
      const base = await bindOnFreePort(provider);
      const busy = await fetch(`${base}/`);
      assert.is(busy.status, 503);
      assert.is(await busy.text(), "service unavailable");
      const late = await fetch(`${base}/`);
      assert.is(late.status, 504);
      assert.is(await late.text(), "gateway timeout");
    } finally {
      await provider.stop();
    }
  },
);

failures.run();

const lifecycle = suite("HttpServer lifecycle");

lifecycle("rejects a bind on a port in use, naming the port", async () => {
  const { provider } = startProvider(reply({}));
  const occupier = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { port } = occupier.addr;
    const error = await provider.bind({
      actor: ACTOR_A,
      binding: "default",
      values: { PORT: String(port), HOST: "127.0.0.1" },
    }).then(() => null, (error: Error) => error);

    assert.ok(error instanceof Deno.errors.AddrInUse);
    assert.is(
      error.message,
      `Cannot bind actor "${ACTOR_A}" to wascc:http_server: ` +
        `port ${port} is in use`,
    );
  } finally {
    occupier.close();
    await provider.stop();
  }
});

lifecycle(
  "rejects invalid numbers with a TypeError naming the value",
  async () => {
    const { provider } = startProvider(reply({}));
    try {
      for (
        const [name, value] of [
          ["PORT", "eighty"],
          ["PORT", "70000"],
          ["MAX_BODY", "-1"],
          ["TIMEOUT", "0"],
          ["TIMEOUT", "1.5"],
        ]
      ) {
        const error = await provider.bind({
          actor: ACTOR_A,
          binding: "default",
          values: { PORT: String(freePort()), [name]: value },
        }).then(() => null, (error: Error) => error);
        assert.instance(error, TypeError);
        assert.ok(
          error!.message.includes(`${name} "${value}"`),
          error!.message,
        );
      }
    } finally {
      await provider.stop();
    }
  },
);

lifecycle("frees the port on unbind so it can be bound again", async () => {
  const { provider } = startProvider(reply({ body: text("up") }));
  try {
    const port = freePort();
    const binding = {
      actor: ACTOR_A,
      binding: "default",
      values: { PORT: String(port), HOST: "127.0.0.1" },
    };
    await provider.bind(binding);
    await provider.unbind(ACTOR_A);
    const refused = await fetch(`http://127.0.0.1:${port}/`)
      .then(() => false, () => true);
    assert.ok(refused, "nothing listens after unbind");

    await provider.bind(binding);
    const response = await fetch(`http://127.0.0.1:${port}/`);
    assert.is(await response.text(), "up");
  } finally {
    await provider.stop();
  }
});

lifecycle(
  "unbinds without waiting on a client that holds its connection",
  async () => {
    const { provider, logs } = startProvider(reply({}));
    const base = await bindOnFreePort(provider, ACTOR_A, {
      MAX_BODY: "16",
      TIMEOUT: "200",
    });
    const { hostname, port } = new URL(base);
    const connection = await Deno.connect({ hostname, port: Number(port) });
    try {
      await connection.write(text(
        "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" +
          "40\r\n" + "x".repeat(64) + "\r\n",
      ));
      const head = new Uint8Array(1024);
      await connection.read(head);
      assert.match(new TextDecoder().decode(head), /^HTTP\/1\.1 413/);

      let timer: ReturnType<typeof setTimeout> | undefined;
      const outcome = await Promise.race([
        provider.unbind(ACTOR_A).then(() => "unbound"),
        new Promise((resolve) => timer = setTimeout(resolve, 3000, "waiting")),
      ]);
      clearTimeout(timer);
      assert.is(outcome, "unbound", "unbind resolves, connection still open");
      assert.ok(logs.some((line) => line.message.includes("left open")));

      await provider.bind({
        actor: ACTOR_B,
        binding: "default",
        values: { PORT: port, HOST: "127.0.0.1" },
      });
      const response = await fetch(`${base}/`);
      assert.is(response.status, 200, "the port serves another actor");
      await response.body?.cancel();
    } finally {
      connection.close();
      await provider.stop();
    }
  },
);

lifecycle("serves two actors on two ports, each its own requests", async () => {
  const { provider, deliveries } = startProvider((actor) =>
    Promise.resolve(encode({ body: text(actor.slice(0, 2)) }))
  );
  try {
    const baseA = await bindOnFreePort(provider, ACTOR_A);
    const baseB = await bindOnFreePort(provider, ACTOR_B);

    assert.is(await (await fetch(`${baseB}/`)).text(), "MB");
    assert.is(await (await fetch(`${baseA}/`)).text(), "MA");
    assert.equal(deliveries.map((delivery) => delivery.actor), [
      ACTOR_B,
      ACTOR_A,
    ]);
  } finally {
    await provider.stop();
  }
});

lifecycle("replaces an actor's listener when it is bound again", async () => {
  const { provider } = startProvider(reply({ body: text("new") }));
  try {
    const first = await bindOnFreePort(provider);
    const second = await bindOnFreePort(provider);

    const refused = await fetch(`${first}/`).then(() => false, () => true);
    assert.ok(refused, "the first listener is closed");
    assert.is(await (await fetch(`${second}/`)).text(), "new");
  } finally {
    await provider.stop();
  }
});

lifecycle("keeps the old listener when a rebind cannot listen", async () => {
  const { provider } = startProvider(reply({ body: text("old") }));
  const occupier = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const base = await bindOnFreePort(provider);
    const error = await provider.bind({
      actor: ACTOR_A,
      binding: "default",
      values: { PORT: String(occupier.addr.port), HOST: "127.0.0.1" },
    }).then(() => null, (error: Error) => error);

    assert.match(String(error), /is in use/);
    assert.is(await (await fetch(`${base}/`)).text(), "old");
  } finally {
    occupier.close();
    await provider.stop();
  }
});

lifecycle("rejects a HOST that is not an address of this machine", async () => {
  const { provider } = startProvider(reply({}));
  try {
    const error = await provider.bind({
      actor: ACTOR_A,
      binding: "default",
      values: { PORT: String(freePort()), HOST: "192.0.2.1" },
    }).then(() => null, (error: Error) => error);

    assert.match(
      String(error),
      `Cannot bind actor "${ACTOR_A}" to wascc:http_server: ` +
        `cannot listen on 192.0.2.1:`,
    );
  } finally {
    await provider.stop();
  }
});

lifecycle("closes every listener on stop and refuses later binds", async () => {
  const { provider } = startProvider(reply({}));
  const baseA = await bindOnFreePort(provider, ACTOR_A);
  const baseB = await bindOnFreePort(provider, ACTOR_B);
  await provider.stop();

  for (const base of [baseA, baseB]) {
    const refused = await fetch(`${base}/`).then(() => false, () => true);
    assert.ok(refused, `${base} is closed`);
  }
  const error = await bindOnFreePort(provider)
    .then(() => null, (error: Error) => error);
  assert.match(String(error), /provider stopped/);
});

lifecycle("describes HandleRequest and refuses calls from actors", async () => {
  const { provider } = startProvider(reply({}));
  try {
    assert.is(provider.descriptor.id, "wascc:http_server");
    assert.equal(provider.descriptor.supportedOperations.map((op) => op.name), [
      "HandleRequest",
    ]);
    assert.is(provider.descriptor.supportedOperations[0].direction, "to_actor");

    const error = await provider.call({
      actor: ACTOR_A,
      operation: "HandleRequest",
      payload: new Uint8Array(),
    }).then(() => null, (error: Error) => error);
    assert.instance(error, RangeError);
    assert.match(String(error), /not an operation of wascc:http_server/);
  } finally {
    await provider.stop();
  }
});

lifecycle.run();
