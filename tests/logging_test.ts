import { suite } from "uvu";
import * as assert from "uvu/assert";
import { encode } from "../runtime/codec.ts";
import type { LogFields, Logger, LogLevel } from "../runtime/logger.ts";
import type { CapabilityProvider } from "../runtime/provider.ts";
import { loggingProvider } from "../providers/logging.ts";
import { rejects } from "./rejects.ts";

interface Line {
  level: LogLevel;
  message: string;
  fields?: LogFields;
}

function recordingLogger(lines: Line[]): Logger {
  const at = (level: LogLevel) => (message: string, fields?: LogFields) => {
    lines.push({ level, message, fields });
  };
  const logger: Logger = {
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
    trace: at("trace"),
    child: () => logger,
  };
  return logger;
}

const test = suite<{ lines: Line[]; logging: CapabilityProvider }>(
  "LoggingProvider",
);

test.before.each(async (context) => {
  context.lines = [];
  context.logging = await loggingProvider.create({
    binding: "default",
    logger: recordingLogger(context.lines),
    dataDir: "/nonexistent",
    deliver: () => Promise.reject(new Error("No actor to deliver to")),
  });
});

function writeLog(logging: CapabilityProvider, payload: Uint8Array) {
  return logging.call({ actor: "MACTOR", operation: "WriteLog", payload });
}

test("writes levels 1 to 5 at error to trace with the actor", async ({ lines, logging }) => {
  for (let level = 1; level <= 5; level++) {
    const reply = await writeLog(
      logging,
      encode({ level, body: `line ${level}` }),
    );
    assert.instance(reply, Uint8Array);
    assert.is(reply.length, 0);
  }
  assert.equal(lines, [
    { level: "error", message: "line 1", fields: { actor: "MACTOR" } },
    { level: "warn", message: "line 2", fields: { actor: "MACTOR" } },
    { level: "info", message: "line 3", fields: { actor: "MACTOR" } },
    { level: "debug", message: "line 4", fields: { actor: "MACTOR" } },
    { level: "trace", message: "line 5", fields: { actor: "MACTOR" } },
  ]);
});

test("drops lines at level 0", async ({ lines, logging }) => {
  const reply = await writeLog(logging, encode({ level: 0, body: "quiet" }));
  assert.is(reply.length, 0);
  assert.equal(lines, []);
});

test("refuses a level above 5", async ({ lines, logging }) => {
  const error = await rejects(
    () => writeLog(logging, encode({ level: 6, body: "x" })),
    /^Cannot perform "WriteLog": field "level" must be 0 to 5, got 6$/,
  );
  assert.instance(error, RangeError);
  assert.equal(lines, []);
});

test("reads an array-form request with a trailing zero byte", async ({ lines, logging }) => {
  await writeLog(logging, new Uint8Array([...encode([2, "careful"]), 0]));
  assert.equal(lines, [{
    level: "warn",
    message: "careful",
    fields: { actor: "MACTOR" },
  }]);
});

test("refuses a malformed payload and an unknown operation", async ({ logging }) => {
  const empty = await rejects(
    () => writeLog(logging, new Uint8Array()),
    /^Cannot perform "WriteLog": cannot decode payload/,
  );
  assert.instance(empty, SyntaxError);
  const wrong = await rejects(
    () => writeLog(logging, encode({ level: "info", body: "x" })),
    /field "level": expected an integer/,
  );
  assert.instance(wrong, TypeError);
  const unknown = await rejects(
    () =>
      logging.call({
        actor: "MACTOR",
        operation: "Flush",
        payload: encode({}),
      }),
    /not an operation of wascc:logging/,
  );
  assert.instance(unknown, RangeError);
});

test.run();
