/**
 * A real pseudo-terminal for the serial suites: a python3 child opens one,
 * prints the path of its terminal side, and writes each line it is sent on
 * standard input into the controlling side, ended with CR LF as a GPS
 * receiver ends its sentences.
 */

const SCRIPT = `
import os, sys
controller, terminal = os.openpty()
print(os.ttyname(terminal), flush=True)
while True:
    line = sys.stdin.readline()
    if not line:
        break
    os.write(controller, line.rstrip("\\n").encode() + b"\\r\\n")
`;

/** A pseudo-terminal fed line by line; closing it ends the child. */
export class PseudoTerminal {
  readonly #child: Deno.ChildProcess;
  readonly #input: WritableStreamDefaultWriter<Uint8Array>;
  /** The terminal side's path, such as `/dev/pts/3`. */
  readonly path: string;

  private constructor(
    child: Deno.ChildProcess,
    input: WritableStreamDefaultWriter<Uint8Array>,
    path: string,
  ) {
    this.#child = child;
    this.#input = input;
    this.path = path;
  }

  static async open(): Promise<PseudoTerminal> {
    const child = new Deno.Command("python3", {
      args: ["-c", SCRIPT],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const path = await firstLine(child.stdout);
    if (!path.startsWith("/dev/")) {
      throw new Error(`Cannot open a pseudo-terminal: python3 said "${path}"`);
    }
    return new PseudoTerminal(child, child.stdin.getWriter(), path);
  }

  /** Writes each line to the terminal, in order. */
  async send(...lines: string[]): Promise<void> {
    const text = lines.map((line) => `${line}\n`).join("");
    await this.#input.write(new TextEncoder().encode(text));
  }

  /** Ends the child, which closes both sides of the terminal. */
  async close(): Promise<void> {
    await this.#input.close();
    await this.#child.status;
  }
}

/** Whether this process holds a descriptor open on `path`. */
export async function holdsOpen(path: string): Promise<boolean> {
  for await (const entry of Deno.readDir("/proc/self/fd")) {
    try {
      if (await Deno.readLink(`/proc/self/fd/${entry.name}`) === path) {
        return true;
      }
    } catch {
      // Gone between listing and looking: not ours any more.
    }
  }
  return false;
}

// Reads the first line and lets the rest of the output drain unread.
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  stream.cancel().catch(() => {});
  return text.split("\n")[0].trim();
}
