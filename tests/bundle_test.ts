/**
 * The single-file build: `dist/trellis.js` run from an empty directory,
 * with an empty DENO_DIR, in a network namespace that has no network at
 * all (`unshare -n`, loopback only), answers with the field station.
 */
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bundle } from "../scripts/bundle.ts";

// Runs inside the namespace: starts the bundle, waits for its ready line,
// reads the field station's page and JSON, and prints what it saw.
const CHECK = `
const child = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "trellis.js", "up", "--example", "field_station",
    "--standalone", "--data-dir", "data", "--log-level", "warn"],
  stdout: "piped", stderr: "inherit",
}).spawn();
const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
let out = "";
const started = performance.now();
while (!/trellis ready /.test(out)) {
  const { value, done } = await reader.read();
  if (done) { console.log(JSON.stringify({ error: "exited", out })); Deno.exit(1); }
  out += value;
}
const readyMs = Math.round(performance.now() - started);
let page = "", json = "";
for (let attempt = 0; attempt < 50 && !json.includes("mean"); attempt++) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  try {
    page = await (await fetch("http://127.0.0.1:8080/")).text();
    json = await (await fetch("http://127.0.0.1:8080/readings.json")).text();
  } catch (error) { page = String(error); }
}
child.kill("SIGTERM");
const status = await child.status;
console.log(JSON.stringify({ readyMs, page, json, code: status.code }));
`;

const single = suite("single-file build");

single("runs the field station offline from an empty directory", async () => {
  const built = await bundle();
  const dir = await Deno.makeTempDir({ prefix: "trellis-bundle-" });
  try {
    await Deno.copyFile(built, join(dir, "trellis.js"));
    await Deno.writeTextFile(join(dir, "check.js"), CHECK);
    await Deno.mkdir(join(dir, "deno_dir"));
    const { code, stdout, stderr } = await new Deno.Command("unshare", {
      args: [
        "-n",
        "sh",
        "-c",
        'ip link set lo up && exec "$0" run -A check.js',
        Deno.execPath(),
      ],
      cwd: dir,
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: dir,
        DENO_DIR: join(dir, "deno_dir"),
        NO_COLOR: "1",
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout);
    assert.is(code, 0, `${text}\n${new TextDecoder().decode(stderr)}`);
    const seen = JSON.parse(text.trim().split("\n").at(-1)!);
    assert.match(seen.page, /<html/i);
    assert.match(seen.json, /mean/);
    assert.is(seen.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

single.run();
