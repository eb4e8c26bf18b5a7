/**
 * `trellis up` under a fake systemd: a Unix datagram socket standing in for
 * `NOTIFY_SOCKET`, read by a small Python receiver (Deno has no stable
 * Unix datagram sockets), checked for READY, WATCHDOG and STOPPING.
 */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startCli } from "./cli_harness.ts";

const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
s.settimeout(20)
while True:
    message = s.recv(4096).decode()
    print(message.replace("\\n", " "), flush=True)
    if message.startswith("STOPPING=1"):
        break
`;

const systemd = suite("trellis up under systemd");

systemd(
  "notifies readiness, feeds the watchdog and says it stops",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "trellis-systemd-" });
    const socket = join(dir, "notify.sock");
    const receiver = new Deno.Command("python3", {
      args: ["-c", RECEIVER, socket],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoderStream();
      let pending = "";
      for await (const chunk of receiver.stdout.pipeThrough(decoder)) {
        pending += chunk;
        const parts = pending.split("\n");
        pending = parts.pop()!;
        lines.push(...parts);
      }
    })();
    const until = async (check: () => boolean, what: string) => {
      const deadline = Date.now() + 10_000;
      while (!check()) {
        if (Date.now() > deadline) {
          assert.unreachable(`${what}: got ${JSON.stringify(lines)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await until(() => lines.includes("listening"), "receiver listening");
      const host = startCli(
        ["up", "--standalone", "--data-dir", join(dir, "data")],
        { NOTIFY_SOCKET: socket, WATCHDOG_USEC: "400000" },
      );
      await host.waitForLine(/^trellis ready /, 15_000);
      await until(
        () => lines.some((line) => line.startsWith("READY=1 STATUS=")),
        "READY",
      );
      await until(
        () => lines.filter((line) => line === "WATCHDOG=1").length >= 3,
        "three watchdog pings",
      );
      host.signal("SIGTERM");
      assert.is((await host.exit(15_000)).code, 0);
      await until(() => lines.includes("STOPPING=1"), "STOPPING");
    } finally {
      try {
        receiver.kill();
      } catch {
        // It ended after STOPPING.
      }
      await reading;
      await receiver.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
);

systemd.run();
