/** Provider modules for the plug-in and portable provider suites. */
import { join } from "node:path";
import type { LogFields, Logger } from "../runtime/logger.ts";
import { signActor, type SignedModule } from "./sign.ts";
import { wat } from "./wat.ts";

/**
 * A TypeScript plug-in, `test:tally`, with no imports: `Add` counts the
 * caller's calls, `Values` answers the caller's binding values as JSON and
 * `Binding` the binding name of the instance.
 */
export const TALLY_PLUGIN = `
interface Binding { actor: string; values: Record<string, string> }

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

export const provider = {
  capabilityId: "test:tally",
  create(context: { binding: string }) {
    const counts = new Map<string, number>();
    const bound = new Map<string, Record<string, string>>();
    return {
      descriptor: {
        id: "test:tally",
        name: "Tally",
        version: "0.1.0",
        revision: 1,
        longDescription: "Counts calls",
        supportedOperations: [],
      },
      bind(binding: Binding) {
        bound.set(binding.actor, binding.values);
        return Promise.resolve();
      },
      unbind(actor: string) {
        bound.delete(actor);
        counts.delete(actor);
        return Promise.resolve();
      },
      call(call: { actor: string; operation: string }) {
        if (call.operation === "Add") {
          const count = (counts.get(call.actor) ?? 0) + 1;
          counts.set(call.actor, count);
          return Promise.resolve(text(String(count)));
        }
        if (call.operation === "Values") {
          return Promise.resolve(text(JSON.stringify(bound.get(call.actor))));
        }
        if (call.operation === "Binding") {
          return Promise.resolve(text(context.binding));
        }
        return Promise.reject(new RangeError("unknown operation"));
      },
      stop: () => Promise.resolve(),
    };
  },
};
`;

/** Writes `source` to `name` in a fresh temporary directory. */
export async function writeTemp(name: string, source: string) {
  const dir = await Deno.makeTempDir({ prefix: "trellis-plugin-" });
  const path = join(dir, name);
  await Deno.writeTextFile(path, source);
  return path;
}

let shout: Promise<Uint8Array<ArrayBuffer>> | undefined;

/** The portable provider of tests/fixtures/providers/shout.wat, signed. */
export async function shoutProvider(): Promise<SignedModule> {
  shout ??= Deno.readTextFile(
    new URL("./fixtures/providers/shout.wat", import.meta.url),
  ).then(wat);
  return await signActor(await shout, { name: "shout", provider: true });
}

/** A logged line. */
export interface LogLine {
  level: string;
  message: string;
  fields: LogFields;
}

/** A logger that keeps every line in `lines`. */
export function recordingLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (message: string, fields: LogFields = {}) =>
    void lines.push({ level, message, fields });
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
