#!/usr/bin/env bash
# CI step: proves the monitoring-system integrations with the real tools (Debian packages), not with
# our own idea of their formats. Installs nagios4-core (nagios4 -v), prometheus (promtool) and
# zabbix-agent (zabbix_sender) when running as root with apt-get, then runs test/integrations/, whose
# tests skip with a printed reason when a tool is missing. Last line: `integrations: N passed, N failed`.
#
#   bash scripts/ci-integrations.sh            # install what is missing, then test
#   POSEMO_NO_APT=1 bash scripts/ci-integrations.sh   # only test with what is installed
#   bash scripts/ci-integrations.sh --install-only      # install the tools; .ci/run then runs npm test,
#                                                       # which includes test/integrations
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

# Debian 12 names: nagios4-core ships /usr/sbin/nagios4, prometheus ships /usr/bin/promtool, and
# zabbix-agent ships /usr/bin/zabbix_sender (it "Provides: zabbix-sender").
packages=(nagios4-core prometheus zabbix-agent)
tools=(nagios4 promtool zabbix_sender)

missing_tools() {
  local missing=()
  for tool in "${tools[@]}"; do command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool"); done
  echo "${missing[*]}"
}

install_tools() {
  if [ -z "$(missing_tools)" ]; then echo "== tools present: ${tools[*]}"; return; fi
  if [ -n "${POSEMO_NO_APT:-}" ]; then echo "== skipping apt-get: POSEMO_NO_APT is set"; return; fi
  if [ "$(id -u)" -ne 0 ]; then echo "== skipping apt-get: not root (missing: $(missing_tools))"; return; fi
  if ! command -v apt-get >/dev/null 2>&1; then echo "== skipping apt-get: no apt-get on this machine (missing: $(missing_tools))"; return; fi
  echo "== apt-get install ${packages[*]}"
  # Services must not start inside CI containers: policy-rc.d 101 tells invoke-rc.d to leave them alone.
  local policy=/usr/sbin/policy-rc.d created_policy=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || echo "   apt-get update failed; trying the cached lists"
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null 2>&1 || echo "   apt-get install failed"
  [ -n "$created_policy" ] && rm -f "$policy"
  local still
  still=$(missing_tools)
  [ -n "$still" ] && echo "   still missing after apt-get: $still (their tests will skip)"
}

print_versions() {
  local nagios=/usr/sbin/nagios4
  [ -x "$nagios" ] && echo "   $("$nagios" --version 2>/dev/null | grep -m1 -Eo 'Nagios Core [0-9.]+')"
  command -v promtool >/dev/null 2>&1 && echo "   $(promtool --version 2>&1 | head -1)"
  command -v zabbix_sender >/dev/null 2>&1 && echo "   $(zabbix_sender -V 2>/dev/null | head -1)"
  return 0
}

install_tools
print_versions
[ "${1:-}" = "--install-only" ] && exit 0

log=$(mktemp)
echo "== bun test test/integrations"
bun test --timeout 120000 test/integrations 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -Eo '^ *[0-9]+ pass$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '^ *[0-9]+ fail$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
skipped=$(grep -Eo '^ *[0-9]+ skip$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

# The Zabbix template is generated from the catalogue: a check added without regenerating it fails here.
echo "== zabbix template is fresh"
if bun scripts/gen-zabbix-template.ts --check; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
[ "$skipped" -gt 0 ] && echo "($skipped integration tests skipped: see the reasons printed above)"
echo "integrations: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
