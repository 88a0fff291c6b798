#!/usr/bin/env bash
# Fetches Debian trixie's docker.io and containerd and unpacks them (dpkg -x, never installed) under
# .tmp/engines/trixie/root, for test/helpers/dockerd.ts and the benchmarks. Idempotent: does nothing when the
# unpacked dockerd is there. apt runs with private lists and cache, from a sources file built here out of this
# machine's own Debian mirror and keyring (read from its apt config, so no mirror is named in the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.tmp/engines/trixie
root="$dest/root"
if [ -x "$root/usr/sbin/dockerd" ] && [ -x "$root/usr/bin/containerd" ]; then exit 0; fi

# The first Debian archive URI (not the security one) and its keyring, from deb822 sources or a one-line list.
uri="" keyring=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  while IFS= read -r line; do
    case "$line" in
      URIs:*) u="${line#URIs:}"; u="$(echo $u | awk '{print $1}')"
              case "$u" in *security*) ;; *) [ -z "$uri" ] && uri="$u" && pick=1 || pick=0 ;; esac ;;
      Signed-By:*) [ "${pick:-0}" = 1 ] && [ -z "$keyring" ] && keyring="$(echo ${line#Signed-By:})" ;;
      "") pick=0 ;;
    esac
  done <"$f"
done
if [ -z "$uri" ]; then
  uri="$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    grep -v security | sed -E 's/^deb (\[[^]]*\] )?//' | awk '{print $1}' | head -n1 || true)"
fi
[ -n "$uri" ] || { echo "fetch-engines: no Debian mirror in /etc/apt sources; add one" >&2; exit 1; }
[ -n "$keyring" ] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg

mkdir -p "$dest/lists/partial" "$dest/cache/archives/partial" "$dest/debs"
cat >"$dest/trixie.sources" <<SOURCES
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: $keyring
SOURCES
apt_opts=(-o "Dir::Etc::sourcelist=$PWD/$dest/trixie.sources" -o Dir::Etc::sourceparts=/nonexistent
  -o "Dir::State::Lists=$PWD/$dest/lists" -o "Dir::Cache=$PWD/$dest/cache" -o Debug::NoLocking=1
  -o APT::Sandbox::User=root -o Acquire::Retries=3 -o Acquire::http::Timeout=60)
timeout 600 apt-get -qq "${apt_opts[@]}" update
(cd "$dest/debs" && timeout 900 apt-get -qq "${apt_opts[@]}" download docker.io containerd)
rm -rf "$root.partial"
mkdir -p "$root.partial"
for deb in "$dest"/debs/*.deb; do dpkg -x "$deb" "$root.partial"; done
rm -rf "$root"
mv "$root.partial" "$root"
"$root/usr/sbin/dockerd" --version
