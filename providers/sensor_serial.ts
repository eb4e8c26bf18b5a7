/**
 * Reads lines from a serial device (a GPS receiver, a microcontroller) in
 * the background and keeps the latest reading of each sensor they name. A
 * tty is set raw at the binding's baud rate with `stty` first; a plain file
 * or pipe is read once to its end, which replays recorded lines.
 *
 * @module
 */
import type { Logger } from "../runtime/logger.ts";
import type { SerialFormat } from "./sensor_config.ts";
import { csvReading } from "./sensor_csv.ts";
import { nmeaReadings } from "./sensor_nmea.ts";
import { type Reading, reasonOf } from "./sensor_reading.ts";

/** How a serial device is read. */
export interface SerialOptions {
  /** The device's path, such as `/dev/ttyUSB0`. */
  device: string;
  /** How its lines are parsed. */
  format: SerialFormat;
  /** The line speed `stty` sets on a tty. */
  baud: number;
  /** The clock of reading timestamps. */
  now: () => number;
  /** Where rejected lines are logged. */
  logger: Logger;
}

/** Longer lines are line noise, not sentences: they are dropped. */
const MAX_LINE_CHARS = 1024;

/** The least time between attempts to open a device that failed. */
const REOPEN_MS = 1000;

/**
 * The latest readings of one serial device. Readings keep the names the
 * lines give (`latitude`, `tempC`); a lease adds the sensor id prefix.
 */
export class SerialReader {
  /** What the reader was made with. */
  readonly options: SerialOptions;
  /** Why the device is not being read, while it is not. */
  problem?: string;
  /** Lines refused so far (bad checksum, not `name,value`…). */
  rejectedLines = 0;
  readonly #latest = new Map<string, Reading>();
  #file?: Deno.FsFile;
  #pump?: Promise<void>;
  #opening?: Promise<void>;
  #nextAttemptAt = 0;
  #ended = false;
  #closed = false;

  /** A reader that opens the device on the first `ensureOpen`. */
  constructor(options: SerialOptions) {
    this.options = options;
  }

  /** The latest reading of each sensor seen so far. */
  readings(): Reading[] {
    return [...this.#latest.values()];
  }

  /**
   * Opens the device unless it is open, was read to its end, or failed
   * less than a second ago; failures land in `problem`.
   */
  ensureOpen(): Promise<void> {
    if (this.#closed || this.#ended || this.#file) return Promise.resolve();
    if (performance.now() < this.#nextAttemptAt) return Promise.resolve();
    this.#opening ??= this.#open().finally(() => this.#opening = undefined);
    return this.#opening;
  }

  /** Stops reading and closes the device. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#opening;
    this.#closeFile();
    await this.#pump;
  }

  async #open(): Promise<void> {
    const { device } = this.options;
    let file: Deno.FsFile | undefined;
    try {
      file = await Deno.open(device, { read: true });
      const isTerminal = file.isTerminal();
      if (isTerminal) await this.#configure();
      if (this.#closed) throw new Error("reader closed");
      this.#file = file;
      this.problem = undefined;
      this.#pump = this.#readLines(file, isTerminal);
      this.options.logger.debug("serial device open", { device, isTerminal });
    } catch (error) {
      file?.close();
      this.problem = `Cannot open "${device}": ${reasonOf(error)}`;
      this.#nextAttemptAt = performance.now() + REOPEN_MS;
    }
  }

  // Raw, no echo; a read returns after a tenth of a second without bytes,
  // so a silent line does not hold the device open long after a close.
  async #configure(): Promise<void> {
    const { device, baud } = this.options;
    const args = ["-F", device, String(baud), "raw", "-echo"];
    const output = await new Deno.Command("stty", {
      args: [...args, "min", "0", "time", "1"],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!output.success) {
      const reason = new TextDecoder().decode(output.stderr).trim();
      throw new Error(`stty failed: ${reason || `exit ${output.code}`}`);
    }
  }

  async #readLines(file: Deno.FsFile, isTerminal: boolean): Promise<void> {
    const buffer = new Uint8Array(4096);
    const decoder = new TextDecoder();
    let pending = "";
    while (!this.#closed) {
      const started = performance.now();
      let count: number | null;
      try {
        count = await file.read(buffer);
      } catch (error) {
        if (!this.#closed) {
          this.problem = `Cannot read "${this.options.device}": ` +
            reasonOf(error);
          this.#nextAttemptAt = performance.now() + REOPEN_MS;
        }
        break;
      }
      if (count === null) {
        if (!isTerminal) {
          this.#ended = true;
          break;
        }
        // A tty whose timeout stty did not set answers at once: pace it.
        if (performance.now() - started < 50) await pause(100);
        continue;
      }
      pending += decoder.decode(buffer.subarray(0, count), { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      if (pending.length > MAX_LINE_CHARS) pending = "";
      for (const line of lines) this.#take(line);
    }
    if (this.#ended && pending.trim() !== "") this.#take(pending);
    if (this.#file === file) this.#closeFile();
  }

  #take(line: string): void {
    const text = line.trim();
    if (text === "" || text.length > MAX_LINE_CHARS) return;
    try {
      for (const reading of this.#parse(text)) {
        this.#latest.set(reading.sensor, reading);
      }
    } catch (error) {
      this.rejectedLines++;
      const fields = { device: this.options.device, error: reasonOf(error) };
      if (this.rejectedLines === 1) {
        this.options.logger.warn("serial line rejected", fields);
      } else {
        this.options.logger.debug("serial line rejected", fields);
      }
    }
  }

  #parse(line: string): Reading[] {
    const timestamp = this.options.now();
    if (this.options.format === "csv") return [csvReading(line, timestamp)];
    return nmeaReadings(line, timestamp);
  }

  #closeFile(): void {
    const file = this.#file;
    this.#file = undefined;
    try {
      file?.close();
    } catch {
      // Already closed by the read loop's end.
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
