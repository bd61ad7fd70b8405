#!/usr/bin/env bash
# Instructions per proxied request (issue 7), counted by valgrind's callgrind: exact where wrk's
# requests/s on a shared VM vary by ±10 %, so a change of a few percent shows. Runs cpamd and
# beast-floor-proxy (the reference, see bench/beast_floor_proxy.cpp) one at a time under callgrind
# in front of one cpa-sim, counts only while wrk runs, and prints instructions per request for
# each and the ratio cpamd/floor. One worker each. Callgrind slows a program about 50 times, so
# this says nothing about latency or requests/s: bench/proxy_bench.sh measures those.
# Usage: bench/proxy_instructions.sh [BUILD_DIR]   (DURATION, CONNECTIONS, TARGET override)
# Needs valgrind and wrk (apt-get install valgrind wrk); installs them when missing and root.
set -euo pipefail
build=${1:-build/release}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-8}
target=${TARGET:-/v0/management/config}
bin="$build/bin"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
source "$(dirname "$0")/proxy_common.sh"
need_tools proxy_instructions valgrind wrk
start_cpa_sim

# count WAY: starts WAY under callgrind with counting off, warms it up, counts during one wrk run,
# prints "instructions requests".
count() {
    local way=$1 port out pid bearer
    port=$(free_port)
    out="$work/$way.callgrind"
    local grind=(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out")
    if [[ $way == cpamd ]]; then
        start_cpamd "$port" 1 "${grind[@]}"
        bearer=$admin
    else
        "${grind[@]}" "$bin/beast-floor-proxy" "$port" "$sim_port" "$key" 1 >"$work/$way.log" 2>&1 &
        bearer=$key
    fi
    pid=$!
    wait_port "$port"
    wrk -t1 -c4 -d3s -H "Authorization: Bearer $bearer" "http://127.0.0.1:$port$target" >/dev/null
    callgrind_control -i on "$pid" >/dev/null 2>&1
    local result
    result=$(wrk -t1 -c"$connections" -d"$duration" -H "Authorization: Bearer $bearer" "http://127.0.0.1:$port$target")
    callgrind_control -i off "$pid" >/dev/null 2>&1
    callgrind_control -d "$pid" >/dev/null 2>&1
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    local requests instructions
    requests=$(awk '/requests in/ {print $1}' <<<"$result")
    instructions=$(callgrind_annotate "$(ls -S "$out"* | head -1)" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    echo "$instructions $requests"
}

read -r cpamd_ir cpamd_n <<<"$(count cpamd)"
read -r floor_ir floor_n <<<"$(count floor)"
per() { echo "$1 / $2" | bc; }
printf 'proxy instructions: GET %s, one worker, callgrind, %s connections for %s\n' "$target" "$connections" "$duration"
printf '  %-6s %14s %10s\n' way instructions/request requests
printf '  %-6s %14s %10s\n' cpamd "$(per "$cpamd_ir" "$cpamd_n")" "$cpamd_n"
printf '  %-6s %14s %10s\n' floor "$(per "$floor_ir" "$floor_n")" "$floor_n"
printf '  ratio cpamd/floor instructions per request: %.2f (the floor is the least a Beast proxy does)\n' \
    "$(echo "($cpamd_ir / $cpamd_n) / ($floor_ir / $floor_n)" | bc -l)"
