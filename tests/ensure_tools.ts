/**
 * Makes sure the outside programs the suites need are installed: it
 * installs the missing ones with apt when it can, and otherwise fails with
 * the command to run.
 */

/** Commands the suites run, and the Debian package of each. */
const TOOLS: Record<string, string> = {
  "nats-server": "nats-server",
  // The fake systemd and the pseudo-terminal fixtures.
  python3: "python3",
  "systemd-notify": "systemd",
  // The single-file build runs in a network namespace with no network.
  unshare: "util-linux",
  ip: "iproute2",
};
async function has(command: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("sh", {
      args: ["-c", `command -v ${command}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** Installs every missing tool with apt-get, or says how to. */
export async function ensureTools(): Promise<void> {
  const missing: string[] = [];
  for (const [command, pkg] of Object.entries(TOOLS)) {
    if (!(await has(command))) missing.push(pkg);
  }
  if (missing.length === 0) return;
  const hint = `apt-get update && apt-get install -y ${missing.join(" ")}`;
  const isRoot = Deno.uid?.() === 0;
  if (!isRoot || !(await has("apt-get"))) {
    throw new Error(
      `Cannot run the suites: ${missing.join(", ")} missing; run: ${hint}`,
    );
  }
  console.error(`installing ${missing.join(" ")} with apt-get`);
  for (
    const args of [["update", "-qq"], ["install", "-y", "-qq", ...missing]]
  ) {
    const { success } = await new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!success) {
      throw new Error(
        `Cannot install ${missing.join(" ")}: apt-get ${args[0]} failed; ` +
          `run: ${hint}`,
      );
    }
  }
}
