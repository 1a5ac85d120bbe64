#!/usr/bin/env bash
# CI step for the release: installs the Debian tools the proof needs when they are missing (file,
# lintian, man-db, systemd's systemd-analyze, qemu-user-static, and libc6:arm64 from Debian's arm64
# packages so qemu-aarch64-static can start the glibc arm64 executable), then runs
# scripts/release-verify.ts, which builds dist/release/ and ends with `release: N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

packages=(file lintian man-db systemd qemu-user-static libc6:arm64)

missing_packages() {
  local missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  echo "${missing[*]}"
}

install_packages() {
  local missing
  missing=$(missing_packages)
  if [ -z "$missing" ]; then echo "== release tools present: ${packages[*]}"; return; fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then echo "== cannot apt-get install: $missing"; return; fi
  echo "== apt-get install $missing"
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  # Services must not start inside CI containers: policy-rc.d 101 tells invoke-rc.d to leave them alone.
  local policy=/usr/sbin/policy-rc.d created_policy=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || echo "   apt-get update failed; trying the cached lists"
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 || echo "   apt-get install failed"
  [ -n "$created_policy" ] && rm -f "$policy"
  missing=$(missing_packages)
  [ -n "$missing" ] && echo "   still missing after apt-get: $missing (their steps will fail)"
}

install_packages
bun scripts/release-verify.ts
