/**
 * A child Deno process that prints one JSON object per line, for tests
 * that wait for what it says and kill it at a chosen moment.
 */

const REPO_DIR = new URL("..", import.meta.url).pathname;

/** A running child and the facts it printed so far. */
export class ChildLines {
  /** Every JSON line printed so far, parsed. */
  readonly facts: Record<string, unknown>[] = [];
  readonly #process: Deno.ChildProcess;
  readonly #reading: Promise<void>;
  #waiters: { accept(fact: Record<string, unknown>): boolean }[] = [];
  #stderr = "";

  private constructor(process: Deno.ChildProcess) {
    this.#process = process;
    this.#reading = Promise.all([this.#readFacts(), this.#readErrors()])
      .then(() => {});
  }

  /** Runs `deno run -A SCRIPT ARGS…` from the repository's directory. */
  static spawn(script: string, args: string[]): ChildLines {
    const process = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, ...args],
      cwd: REPO_DIR,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new ChildLines(process);
  }

  /** What the child wrote to standard error. */
  get stderr(): string {
    return this.#stderr;
  }

  /**
   * Resolves with the first fact (printed before or after) that `accept`
   * takes; rejects after `timeoutMs` or when the child exits first.
   */
  until(
    accept: (fact: Record<string, unknown>) => boolean,
    timeoutMs: number,
  ): Promise<Record<string, unknown>> {
    const found = this.facts.find(accept);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        this.#waiters = this.#waiters.filter((entry) => entry !== waiter);
        reject(
          new Error(
            `${why}; facts ${JSON.stringify(this.facts.slice(-5))}` +
              `; stderr ${this.#stderr}`,
          ),
        );
      };
      const timer = setTimeout(
        () => fail(`No such fact within ${timeoutMs} ms`),
        timeoutMs,
      );
      const waiter = {
        accept: (fact: Record<string, unknown>) => {
          if (!accept(fact)) return false;
          clearTimeout(timer);
          resolve(fact);
          return true;
        },
      };
      this.#waiters.push(waiter);
      this.#process.status.then(() =>
        setTimeout(() => {
          if (this.#waiters.includes(waiter)) {
            clearTimeout(timer);
            fail("The child exited first");
          }
        }, 50)
      );
    });
  }

  /** Kills the child with SIGKILL and waits for it to be gone. */
  async kill(): Promise<void> {
    try {
      this.#process.kill("SIGKILL");
    } catch {
      // Exited already.
    }
    await this.#process.status;
    await this.#reading;
  }

  /** Waits for the child to exit by itself; resolves with its code. */
  async exit(): Promise<number> {
    const { code } = await this.#process.status;
    await this.#reading;
    return code;
  }

  async #readFacts(): Promise<void> {
    const lines = this.#process.stdout
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(lineSplitter());
    for await (const line of lines) {
      if (!line.startsWith("{")) continue;
      const fact = JSON.parse(line);
      this.facts.push(fact);
      this.#waiters = this.#waiters.filter((waiter) => !waiter.accept(fact));
    }
  }

  async #readErrors(): Promise<void> {
    const text = this.#process.stderr.pipeThrough(new TextDecoderStream());
    for await (const chunk of text) this.#stderr += chunk;
  }
}

function lineSplitter(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) controller.enqueue(line);
    },
    flush(controller) {
      if (rest) controller.enqueue(rest);
    },
  });
}
