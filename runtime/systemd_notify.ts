/**
 * Tells systemd how the host is doing when it runs as a `Type=notify`
 * service: `READY=1` once the ready line is out, `WATCHDOG=1` at half the
 * watchdog interval while the event loop turns, `STOPPING=1` on the way
 * out. Messages go through `systemd-notify`, which runs as a child
 * process: the unit needs `NotifyAccess=all` for systemd to accept them
 * (the default, `main`, takes messages from the main process only).
 *
 * Without `NOTIFY_SOCKET` in the environment nothing is sent.
 *
 * @module
 */
import { type Logger, silentLogger } from "./logger.ts";
import { messageOf } from "./wapc_instance.ts";

/** Sends one notification; the default runs `systemd-notify`. */
export type NotifySender = (
  message: string,
  env: Record<string, string>,
) => Promise<void>;

/** Options of {@link SystemdNotifier}. */
export interface SystemdNotifierOptions {
  /** The environment to read `NOTIFY_SOCKET` and `WATCHDOG_USEC` from. */
  env: Record<string, string | undefined>;
  /** This process's id, compared with `WATCHDOG_PID`. */
  pid?: number;
  send?: NotifySender;
  logger?: Logger;
}

/** Notifications to systemd for one host process. */
export class SystemdNotifier {
  readonly #socket: string;
  readonly #watchdogMs?: number;
  readonly #send: NotifySender;
  readonly #logger: Logger;
  #timer?: ReturnType<typeof setInterval>;
  #warned = false;

  private constructor(
    socket: string,
    watchdogMs: number | undefined,
    options: SystemdNotifierOptions,
  ) {
    this.#socket = socket;
    this.#watchdogMs = watchdogMs;
    this.#send = options.send ?? runSystemdNotify;
    this.#logger = options.logger ?? silentLogger;
  }

  /** A notifier when systemd asked for one (`NOTIFY_SOCKET` is set). */
  static fromEnv(
    options: SystemdNotifierOptions,
  ): SystemdNotifier | undefined {
    const { env } = options;
    const socket = env.NOTIFY_SOCKET;
    if (!socket) return undefined;
    const usec = Number(env.WATCHDOG_USEC);
    const forUs = !env.WATCHDOG_PID ||
      Number(env.WATCHDOG_PID) === (options.pid ?? Deno.pid);
    const watchdogMs = Number.isFinite(usec) && usec > 0 && forUs
      ? usec / 1000
      : undefined;
    return new SystemdNotifier(socket, watchdogMs, options);
  }

  /** The watchdog interval systemd set, in ms, if any. */
  get watchdogMs(): number | undefined {
    return this.#watchdogMs;
  }

  /** Says the host is ready, and starts feeding the watchdog. */
  async ready(status: string): Promise<void> {
    await this.#notify(`READY=1\nSTATUS=${status}`);
    if (this.#watchdogMs === undefined) return;
    const every = Math.max(100, Math.floor(this.#watchdogMs / 2));
    // The timer only fires while the event loop turns: a stuck host stops
    // feeding the watchdog and systemd restarts it.
    this.#timer = setInterval(() => void this.#notify("WATCHDOG=1"), every);
  }

  /** Says the host is stopping, and stops feeding the watchdog. */
  async stopping(): Promise<void> {
    clearInterval(this.#timer);
    await this.#notify("STOPPING=1");
  }

  async #notify(message: string): Promise<void> {
    try {
      await this.#send(message, { NOTIFY_SOCKET: this.#socket });
    } catch (error) {
      if (this.#warned) return;
      this.#warned = true;
      this.#logger.warn("cannot notify systemd", {
        error: messageOf(error),
        hint: "systemd-notify must be installed and the unit say " +
          "NotifyAccess=all",
      });
    }
  }
}

async function runSystemdNotify(
  message: string,
  env: Record<string, string>,
): Promise<void> {
  const lines = message.split("\n");
  const { code, stderr } = await new Deno.Command("systemd-notify", {
    args: ["--no-block", ...lines],
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `systemd-notify exited with ${code}: ` +
        new TextDecoder().decode(stderr).trim(),
    );
  }
}
