#!/usr/bin/env bash
# Builds the Garasi runtime image FROM scratch with podman, starts it, and checks that it
# answers /readyz and that its HEALTHCHECK (`garasi healthcheck`) passes. CI runs this
# because no base-image registry is reachable there; the production Dockerfile yields the
# same layout (checked first, below).
#
# Usage: deploy/image/build-scratch.sh [path/to/release/garasi]
#   Without an argument it builds `cargo build --release` first.
# Env: GARASI_IMAGE (default localhost/garasi:scratch), GARASI_IMAGE_PORT (default 3999).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
image=${GARASI_IMAGE:-localhost/garasi:scratch}
port=${GARASI_IMAGE_PORT:-3999}

# 1. Both files must describe the same runtime: the lines after the layout marker match.
layout() { sed -n '/^# --- layout/,$p' "$1" | tail -n +2; }
if ! diff <(layout "$root/Dockerfile") <(layout "$here/Containerfile.scratch"); then
  echo "Dockerfile and Containerfile.scratch describe different layouts" >&2
  exit 1
fi

# 2. The release binary.
bin=${1:-}
if [ -z "$bin" ]; then
  (cd "$root" && cargo build --release --locked --bin garasi)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/garasi"
fi
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }

# 3. The root file system: what the Dockerfile's runtime stage has, and nothing else.
work=$(mktemp -d)
name="garasi-image-check-$$"
podman_() { podman --runtime runc --cgroup-manager=cgroupfs "$@"; }
cleanup() {
  podman_ rm -f -v "$name" >/dev/null 2>&1 || true
  # Each build leaves the previous image untagged; keep the store from growing run after run.
  podman_ image prune -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# This machine's containers may not set rlimits (see the issue); keep that local to the run.
printf '[containers]\ndefault_ulimits = []\n' > "$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"

rootfs="$work/rootfs"
install -D -m 0755 "$bin" "$rootfs/usr/local/bin/garasi"
# Every shared library the binary loads, and the loader itself, at the same paths.
for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
  # 0755: the kernel execs the loader (ld-linux) itself, as the unprivileged user.
  install -D -m 0755 "$(readlink -f "$lib")" "$rootfs$lib"
done
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
mkdir -p "$rootfs/usr/share"
cp -a /usr/share/zoneinfo "$rootfs/usr/share/zoneinfo"
mkdir -p "$rootfs/etc" "$rootfs/tmp" "$work/data"
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\ngarasi:x:10001:10001:garasi:/data:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\ngarasi:x:10001:\n' > "$rootfs/etc/group"
chmod 0700 "$work/data"
cp "$here/Containerfile.scratch" "$work/Containerfile"

# 4. Build (docker format: OCI images drop HEALTHCHECK) and report the size.
podman_ build --quiet --format docker -t "$image" -f "$work/Containerfile" "$work" >/dev/null
size=$(podman_ image inspect --format '{{.Size}}' "$image")
echo "image $image: $size bytes ($(( size / 1024 / 1024 )) MiB)"

# 5. Start it with its own defaults (SQLite in the /data volume), on a free loopback port.
# Without systemd podman cannot schedule the periodic health timer and says so on stderr;
# the check below runs the HEALTHCHECK itself, so that message is kept for failures only.
podman_ run -d --name "$name" --network host -e GARASI_BIND="127.0.0.1:$port" "$image" >/dev/null 2>"$work/run.err" \
  || { cat "$work/run.err" >&2; exit 1; }
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >"$work/ready.json" 2>/dev/null; then break; fi
  if [ "$(podman_ inspect --format '{{.State.Running}}' "$name")" != "true" ]; then
    podman_ logs "$name" >&2; echo "the container exited" >&2; exit 1
  fi
  sleep 1
done
grep -q '"status":"ok"' "$work/ready.json" || { podman_ logs "$name" >&2; echo "no /readyz answer" >&2; exit 1; }
echo "/readyz: $(cat "$work/ready.json")"
# The image's own HEALTHCHECK, run once the way the engine runs it.
podman_ healthcheck run "$name"
echo "healthcheck: healthy"
# It runs as the unprivileged user, and /data is its own.
user=$(podman_ inspect --format '{{.Config.User}}' "$name")
[ "$user" = "10001:10001" ] || { echo "runs as $user, not 10001:10001" >&2; exit 1; }
echo "scratch image OK"
