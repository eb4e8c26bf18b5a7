/**
 * The watchdog's own thread: it outlives a main thread that spins forever
 * (a guest the fuel check failed to stop), which no timer there could.
 * Each message names what runs now and restarts the countdown; when it
 * ends, this thread names the hung work on standard error and ends the
 * whole process with SIGTERM.
 */
import type { WatchdogMessage } from "./watchdog.ts";

let timer: ReturnType<typeof setTimeout> | undefined;

self.addEventListener("message", (event) => {
  const message = (event as MessageEvent<WatchdogMessage>).data;
  clearTimeout(timer);
  timer = setTimeout(() => {
    const seconds = Math.round(message.limitMs / 1000);
    const line = `\nwatchdog: ${message.running} made no progress for ` +
      `${seconds} s; it hangs, ending the test run\n`;
    Deno.stderr.writeSync(new TextEncoder().encode(line));
    Deno.kill(Deno.pid, "SIGTERM");
  }, message.limitMs);
});
