#!/usr/bin/env bash
# Reverse proxy benchmark (issue 7), on the real binaries of a build (default build/release).
# wrk on loopback against one cpa-sim, four ways:
#   direct  wrk -> cpa-sim                      (the reference: what CPA itself costs)
#   cpamd   wrk -> cpamd -> cpa-sim             (admin key swapped for the stored CPA key)
#   nginx   wrk -> nginx proxy_pass -> cpa-sim  (keep-alive upstream, the key set by nginx)
#   floor   wrk -> beast-floor-proxy -> cpa-sim (the least any Beast + Asio proxy does: see
#           bench/beast_floor_proxy.cpp; shows how much of cpamd's cost is Beast's own)
# Two configurations, one after the other: each tool's default worker count on this machine
# (nginx's `worker_processes auto` and cpamd's default are both one per core), then one worker
# each (CPAMD_THREADS=1, worker_processes 1: per core, the case of a 1-vCPU VPS). WORKERS="2 1"
# picks the counts. For each: requests/s and p99 per way, then what the issue asks for:
# cpamd/nginx in requests/s (target >= 1) and cpamd's p99 against nginx's (target: not above),
# then floor/nginx and cpamd/floor.
# RUNS rounds (default 3) measure the four ways one after the other; each figure printed is the
# median over the rounds, each ratio the median of the per-round ratios (this VM's speed drifts).
# Usage: bench/proxy_bench.sh [BUILD_DIR]   (DURATION, CONNECTIONS, TARGET, WORKERS, RUNS override)
# Needs wrk and nginx (apt-get install wrk nginx-light); installs them when missing and root.
set -euo pipefail
build=${1:-build/release}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
target=${TARGET:-/v0/management/config}
worker_counts=${WORKERS:-"$(nproc) 1"}
runs=${RUNS:-3}
bin="$build/bin"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT
source "$(dirname "$0")/proxy_common.sh"
need_tools proxy_bench wrk nginx-light
start_cpa_sim

# nginx, the usual keep-alive reverse proxy setup, with $1 workers.
write_nginx_conf() {
    cat >"$work/nginx.conf" <<EOF
worker_processes $1;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
daemon on;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    upstream cpa { server 127.0.0.1:$sim_port; keepalive 64; }
    server {
        listen 127.0.0.1:$nginx_port;
        location / {
            proxy_pass http://cpa;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host 127.0.0.1:$sim_port;
            proxy_set_header Authorization "Bearer $key";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_buffering off;
        }
    }
}
EOF
}

# start_proxies WORKERS: cpamd, nginx and the floor, each with WORKERS workers (threads for cpamd
# and the floor, processes for nginx). Sets their ports, cpamd_pid and floor_pid.
start_proxies() {
    cpamd_port=$(free_port)
    start_cpamd "$cpamd_port" "$1"
    cpamd_pid=$!
    wait_port "$cpamd_port"

    nginx_port=$(free_port)
    mkdir -p "$work/nginx"
    write_nginx_conf "$1"
    nginx -c "$work/nginx.conf" -p "$work/nginx"
    wait_port "$nginx_port"

    floor_port=$(free_port)
    "$bin/beast-floor-proxy" "$floor_port" "$sim_port" "$key" "$1" &
    floor_pid=$!
    wait_port "$floor_port"
}

stop_proxies() {
    kill "$cpamd_pid" "$floor_pid" "$(cat "$work/nginx.pid")" 2>/dev/null || true
    wait "$cpamd_pid" "$floor_pid" 2>/dev/null || true
    while [[ -f $work/nginx.pid ]]; do sleep 0.05; done
}

# One wrk run: prints "requests/s p99_ms".
measure() { # $1 = port, $2 = bearer
    local out
    out=$(wrk -t2 -c"$connections" -d"$duration" --latency -H "Authorization: Bearer $2" "http://127.0.0.1:$1$target")
    local rps p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$out")
    local non2xx
    non2xx=$(awk '/Non-2xx/ {print $4}' <<<"$out")
    [[ -z "$non2xx" ]] || echo "  warning: $non2xx non-2xx answers on port $1" >&2
    echo "$rps $p99"
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
ratio() { echo "$1 / $2" | bc -l; }

# compare WORKERS: RUNS rounds of the four ways against the running proxies, then the summary.
compare() {
    local workers=$1 round way port bearer r p
    local -A rps p99
    local r_cpamd_nginx="" r_floor_nginx="" r_cpamd_floor="" d_p99=""
    # Warm up each path (pools, caches), then measure.
    for p in "$sim_port:$key" "$cpamd_port:$admin" "$nginx_port:$key" "$floor_port:$key"; do
        wrk -t1 -c4 -d1s -H "Authorization: Bearer ${p#*:}" "http://127.0.0.1:${p%%:*}$target" >/dev/null
    done
    for round in $(seq "$runs"); do
        for way in direct cpamd nginx floor; do
            case $way in
            direct) port=$sim_port bearer=$key ;;
            cpamd) port=$cpamd_port bearer=$admin ;;
            nginx) port=$nginx_port bearer=$key ;;
            floor) port=$floor_port bearer=$key ;;
            esac
            read -r r p <<<"$(measure "$port" "$bearer")"
            rps[$way]+="$r "
            p99[$way]+="$p "
            eval "last_$way=$r last_p99_$way=$p"
        done
        r_cpamd_nginx+="$(ratio "$last_cpamd" "$last_nginx") "
        r_floor_nginx+="$(ratio "$last_floor" "$last_nginx") "
        r_cpamd_floor+="$(ratio "$last_cpamd" "$last_floor") "
        d_p99+="$(echo "$last_p99_cpamd - $last_p99_nginx" | bc -l) "
        printf '  round %s: cpamd/nginx %.2f, floor/nginx %.2f, p99 cpamd - nginx %+.2f ms\n' "$round" \
            "$(ratio "$last_cpamd" "$last_nginx")" "$(ratio "$last_floor" "$last_nginx")" \
            "$(echo "$last_p99_cpamd - $last_p99_nginx" | bc -l)"
    done
    for way in direct cpamd nginx floor; do
        eval "${way}_rps=$(median <<<"${rps[$way]}") ${way}_p99=$(median <<<"${p99[$way]}")"
    done

    local cpamd_rss
    cpamd_rss=$(awk '/VmHWM/ {print $2}' "/proc/$cpamd_pid/status" 2>/dev/null || echo "?")
    printf 'proxy benchmark: wrk -c%s -d%s GET %s on loopback, %s worker(s) per proxy, %s cores, medians of %s rounds\n' \
        "$connections" "$duration" "$target" "$workers" "$(nproc)" "$runs"
    printf '  %-8s %12s %10s %16s\n' way requests/s p99_ms "added p99 ms"
    printf '  %-8s %12.0f %10.2f %16s\n' direct "$direct_rps" "$direct_p99" "-"
    printf '  %-8s %12.0f %10.2f %16.2f\n' cpamd "$cpamd_rps" "$cpamd_p99" "$(echo "$cpamd_p99 - $direct_p99" | bc -l)"
    printf '  %-8s %12.0f %10.2f %16.2f\n' nginx "$nginx_rps" "$nginx_p99" "$(echo "$nginx_p99 - $direct_p99" | bc -l)"
    printf '  %-8s %12.0f %10.2f %16.2f\n' floor "$floor_rps" "$floor_p99" "$(echo "$floor_p99 - $direct_p99" | bc -l)"
    printf '  ratio cpamd/nginx requests/s: %.2f (target >= 1; rounds: %s)\n' "$(median <<<"$r_cpamd_nginx")" "$(printf '%.2f ' $r_cpamd_nginx)"
    printf '  ratio floor/nginx requests/s: %.2f (a Beast proxy that does nothing else)\n' "$(median <<<"$r_floor_nginx")"
    printf '  ratio cpamd/floor requests/s: %.2f (what cpamd keeps of the Beast floor)\n' "$(median <<<"$r_cpamd_floor")"
    printf '  p99 cpamd - nginx:            %+.2f ms (target <= 0; rounds: %s)\n' "$(median <<<"$d_p99")" "$(printf '%+.2f ' $d_p99)"
    printf '  cpamd peak RSS: %s kB\n' "$cpamd_rss"
}

for workers in $worker_counts; do
    start_proxies "$workers"
    compare "$workers"
    stop_proxies
done
