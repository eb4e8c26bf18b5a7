#!/usr/bin/env bash
# Runs the single-file build (dist/trellis.js) on 64-bit ARM under
# qemu-aarch64 with the arm64 Deno from npm, and checks that the field
# station answers. Slow (the emulated Deno is 60-100x slower), so it is not
# part of `deno task test`. Needs root for apt on a fresh machine.
#
#   bash scripts/arm_smoke.sh
#
# 32-bit ARM (armv7) is not supported: Deno has no build for it.
set -euo pipefail
cd "$(dirname "$0")/.."

DENO_VERSION=2.9.6
PORT=${PORT:-18080}
WORK=.cache/arm64
deno() { npx -y "deno@${DENO_VERSION}" "$@"; }

if ! command -v qemu-aarch64 >/dev/null ||
  [ ! -e /lib/ld-linux-aarch64.so.1 ]; then
  echo "installing qemu-user and libc6:arm64" >&2
  dpkg --add-architecture arm64
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user libc6:arm64
fi

if [ ! -x "$WORK/package/deno" ]; then
  echo "fetching @deno/linux-arm64-glibc@${DENO_VERSION} from npm" >&2
  mkdir -p "$WORK"
  tarball=$(cd "$WORK" && npm pack --silent \
    "@deno/linux-arm64-glibc@${DENO_VERSION}")
  tar -xzf "$WORK/$tarball" -C "$WORK"
  chmod +x "$WORK/package/deno"
fi
file "$WORK/package/deno" | grep -q "ARM aarch64" ||
  { echo "not an arm64 binary: $WORK/package/deno" >&2; exit 1; }

deno task bundle >&2

run_dir=$(mktemp -d)
trap 'kill "$host" 2>/dev/null || true; rm -rf "$run_dir"' EXIT
cp dist/trellis.js "$run_dir/"
started=$(date +%s%N)
(
  cd "$run_dir"
  FIELD_PORT=$PORT DENO_DIR="$run_dir/deno_dir" exec qemu-aarch64 \
    "$OLDPWD/$WORK/package/deno" run -A trellis.js up \
    --example field_station --standalone --data-dir data --log-level warn \
    >"$run_dir/stdout" 2>"$run_dir/stderr"
) &
host=$!

for _ in $(seq 1 600); do
  if grep -q "^trellis ready " "$run_dir/stdout" 2>/dev/null; then break; fi
  if ! kill -0 "$host" 2>/dev/null; then
    cat "$run_dir/stderr" >&2
    echo "trellis exited under qemu" >&2
    exit 1
  fi
  sleep 0.2
done
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
grep -q "^trellis ready " "$run_dir/stdout" ||
  { cat "$run_dir/stderr" >&2; echo "no ready line in 120 s" >&2; exit 1; }

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$PORT/readings.json" 2>/dev/null |
    grep -q '"mean"'; then
    echo "arm64 under qemu: ready in ${ready_ms} ms; field station answers" \
      "at http://127.0.0.1:$PORT/"
    exit 0
  fi
  sleep 0.5
done
echo "the field station did not answer under qemu" >&2
exit 1
