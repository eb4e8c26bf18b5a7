/**
 * Runs the trellis CLI as a separate process (`deno run -A main.ts …` from
 * the repository), the way a user would, and reads what it writes.
 */
import { fileURLToPath } from "node:url";

/** The repository root, the working directory of every CLI process. */
export const REPO_DIR = fileURLToPath(new URL("../", import.meta.url));

/** How a finished CLI process ended and what it wrote. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function command(
  args: string[],
  env: Record<string, string> = {},
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...args],
    cwd: REPO_DIR,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs `trellis ARGS…` to completion. */
export async function runCli(args: string[]): Promise<CliResult> {
  const { code, stdout, stderr } = await command(args).output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

/** The non-empty lines of `text`. */
export function linesOf(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}

/** A running `trellis` process whose output is read as it comes. */
export class CliProcess {
  readonly stdoutLines: string[] = [];
  #stderr = "";
  #child: Deno.ChildProcess;
  #waiters = new Set<() => void>();
  #output: Promise<void>;
  #exited = false;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.#child = command(args, env).spawn();
    this.#output = Promise.all([
      this.#readLines(this.#child.stdout, (line) => {
        this.stdoutLines.push(line);
        this.#wake();
      }),
      this.#readLines(this.#child.stderr, (line) => {
        this.#stderr += line + "\n";
        this.#wake();
      }),
    ]).then(() => {});
    this.#child.status.then(() => {
      this.#exited = true;
      this.#wake();
    });
  }

  /** What the process wrote to standard error so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /**
   * Resolves with the first stdout line matching `pattern`; rejects if the
   * process exits or `timeoutMs` passes first.
   */
  waitForLine(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    return this.#waitFor("stdout", pattern, timeoutMs);
  }

  /** Like {@linkcode waitForLine}, for a line on standard error. */
  waitForLog(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    return this.#waitFor("stderr", pattern, timeoutMs);
  }

  async #waitFor(
    stream: "stdout" | "stderr",
    pattern: RegExp,
    timeoutMs: number,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const lines = stream === "stdout"
        ? this.stdoutLines
        : this.#stderr.split("\n");
      const line = lines.find((line) => pattern.test(line));
      if (line !== undefined) return line;
      if (this.#exited || Date.now() > deadline) {
        throw new Error(
          `No ${stream} line matching ${pattern} (${
            this.#exited ? "process exited" : "timed out"
          }); stderr:\n${this.#stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
        function wake() {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(wake);
      });
    }
  }

  /** Sends `signal` to the process, unless it has already exited. */
  signal(signal: Deno.Signal): void {
    if (this.#exited) return;
    try {
      this.#child.kill(signal);
    } catch (error) {
      // It may have exited since the check; anything else is a fault.
      if (!(error instanceof TypeError)) throw error;
    }
  }

  /**
   * Waits for the process to exit and its output to be read; kills it and
   * rejects if that takes longer than `timeoutMs`.
   */
  async exit(timeoutMs = 10_000): Promise<CliResult> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`Process did not exit within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const status = await Promise.race([this.#child.status, late]);
      await this.#output;
      return {
        code: status.code,
        stdout: this.stdoutLines.map((line) => line + "\n").join(""),
        stderr: this.#stderr,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process if it is still running (cleanup after a failure). */
  kill(): void {
    if (this.#exited) return;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // It exited in between.
    }
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  async #readLines(
    stream: ReadableStream<Uint8Array>,
    onLine: (line: string) => void,
  ): Promise<void> {
    let pending = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf("\n")) !== -1) {
        onLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
    }
    if (pending !== "") onLine(pending);
  }
}

/** Starts `trellis ARGS…` in the background, with more `env` if given. */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
): CliProcess {
  return new CliProcess(args, env);
}
