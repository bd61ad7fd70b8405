#!/usr/bin/env bash
# Collector benchmark (issue 6), on the real binaries of a build (default build/release):
#   1. sustained ingest per mode: cpa-sim produces N events at a high rate; we time until cpamd has
#      stored them all, and read cpamd's CPU time from /proc. The reference, measured in the same
#      run, is the simulator's own production rate (collection cannot beat it): ratio = stored/s
#      divided by produced/s.
#   2. idle CPU: cpamd in auto mode holds its subscription while cpa-sim produces nothing, for
#      IDLE_SECONDS. Target: <= 0.5 % of one core.
# Usage: bench/collector_bench.sh [BUILD_DIR]   (EVENTS, RATE, IDLE_SECONDS override the sizes)
set -euo pipefail
build=${1:-build/release}
events=${EVENTS:-20000}
rate=${RATE:-5000}
idle_seconds=${IDLE_SECONDS:-20}
bin="$build/bin"
plugins="$build/lib/cpamd/plugins"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
key="bench-management-key-0123456789"
ticks=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
now() { date +%s.%N; }

start_sim() { # $1 = log, rest = extra args
    local log=$1; shift
    "$bin/cpa-sim" --listen 127.0.0.1:0 --management-key "$key" --usage-statistics-enabled true "$@" >"$log" 2>&1 &
    sim_pid=$!
    for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.05; done
    sim_port=$(grep -o "listening on [0-9.]*:[0-9]*" "$log" | grep -o "[0-9]*$")
}

start_cpamd() { # $1 = mode, $2 = data dir
    HTTP_ADDR=127.0.0.1:0 USAGE_DATA_DIR="$2" CPA_UPSTREAM_URL="http://127.0.0.1:$sim_port" \
        CPA_MANAGEMENT_KEY="$key" USAGE_COLLECTOR_MODE="$1" USAGE_PLUGIN_DIR="$plugins" \
        USAGE_POLL_INTERVAL_MS=100 CPAMD_LOG_LEVEL=warn "$bin/cpamd" serve >"$2.log" 2>&1 &
    cpamd_pid=$!
}

stored() { sqlite3 "$1/usage.sqlite" "select count(*) from events" 2>/dev/null || echo 0; }

printf 'collector benchmark: %d events at %d/s per mode (cpa-sim on loopback)\n' "$events" "$rate"
printf '  %-10s %12s %12s %8s %10s %14s\n' mode produced/s stored/s ratio "cpamd CPU" "CPU us/event"
for mode in http resp subscribe auto; do
    dir="$work/$mode"
    mkdir -p "$dir"
    # Paused until cpamd is up, so every mode starts from the same empty queue.
    start_sim "$dir/sim.log" --rate "$rate" --total "$events" --paused --control-key ctl
    start_cpamd "$mode" "$dir/data"
    sleep 1.5
    t0=$(now); c0=$(cpu_ticks "$cpamd_pid")
    curl -s -X POST -H "Authorization: Bearer ctl" "http://127.0.0.1:$sim_port/_sim/resume" >/dev/null
    produced_done=""
    until [[ $(stored "$dir/data") -ge $events ]]; do
        if [[ -z "$produced_done" ]] && curl -s -H "Authorization: Bearer ctl" \
            "http://127.0.0.1:$sim_port/_sim/stats" | grep -q '"generator_done":true'; then
            produced_done=$(now)
        fi
        sleep 0.05
        if (($(echo "$(now) - $t0 > 120" | bc))); then echo "  $mode: timed out" >&2; break; fi
    done
    t1=$(now); c1=$(cpu_ticks "$cpamd_pid")
    [[ -n "$produced_done" ]] || produced_done=$t1
    n=$(stored "$dir/data")
    awk -v n="$n" -v ev="$events" -v t0="$t0" -v t1="$t1" -v tp="$produced_done" -v c="$((c1 - c0))" -v hz="$ticks" \
        -v mode="$mode" 'BEGIN { s = t1 - t0; p = tp - t0; cpu = c / hz;
        printf "  %-10s %12.0f %12.0f %8.2f %9.1f%% %14.1f\n", mode, ev / p, n / s, (n / s) / (ev / p), 100 * cpu / s, 1e6 * cpu / n }'
    kill "$cpamd_pid" "$sim_pid"; wait "$cpamd_pid" "$sim_pid" 2>/dev/null || true
done

dir="$work/idle"
mkdir -p "$dir"
start_sim "$dir/sim.log" --paused --control-key ctl
start_cpamd auto "$dir/data"
sleep 3 # drain, subscribe, drain again
c0=$(cpu_ticks "$cpamd_pid"); t0=$(now)
sleep "$idle_seconds"
c1=$(cpu_ticks "$cpamd_pid"); t1=$(now)
awk -v c="$((c1 - c0))" -v hz="$ticks" -v t0="$t0" -v t1="$t1" \
    'BEGIN { printf "idle (auto mode, subscribed, no traffic): %.2f %% of one core over %.0f s (target <= 0.5 %%)\n", 100 * c / hz / (t1 - t0), t1 - t0 }'
