#!/usr/bin/env bash
# Installs what the demo, the tests and the benchmarks need on a fresh Debian/Ubuntu machine:
# the registry and skopeo (Debian packages), then the npm dependencies (which bring Node 24 with them).
set -euo pipefail
cd "$(dirname "$0")/.."

# docker.io: the real Docker Engine the reuse tests and benchmarks start on private sockets (test/helpers/dockerd.ts).
packages=(docker-registry skopeo podman buildah docker.io nginx-light apache2-utils openssl ca-certificates)
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The Debian package starts a registry service on :5000; the project starts its own on free ports.
if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
  [ "$(id -u)" -eq 0 ] && systemctl stop docker-registry || true
fi
# Likewise the docker.io package's system daemon: tests start their own dockerd, never touch the system one.
if command -v systemctl >/dev/null && systemctl is-active --quiet docker 2>/dev/null; then
  [ "$(id -u)" -eq 0 ] && systemctl stop docker docker.socket || true
fi

# Docker 26 (Debian trixie's docker.io and containerd), unpacked, not installed (trixie's libc must not replace the
# system's): the containerd image store and Docker 25+'s classic store for the tests and benchmarks.
scripts/fetch-engines.sh

npm ci --no-audit --no-fund
