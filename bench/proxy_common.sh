# Shared by the proxy benchmarks (sourced, not run): the keys, the tools they need, free ports, and
# starting cpa-sim and cpamd in front of it. Expects `build`, `bin` and `work` to be set.

key="bench-management-key-0123456789"
admin="cpamp_benchadminkey0123456789abcdef"

# need_tools NAME PACKAGE...: installs PACKAGEs (as root) unless every command they provide is there.
need_tools() {
    local name=$1 packages=("${@:2}") missing=0 p
    for p in "${packages[@]}"; do
        command -v "${p%-light}" >/dev/null || missing=1
    done
    ((missing)) || return 0
    [[ $(id -u) == 0 ]] || { echo "$name: needs ${packages[*]}" >&2; exit 1; }
    apt-get install -y "${packages[@]}" >/dev/null 2>&1 ||
        { apt-get update >/dev/null && apt-get install -y "${packages[@]}" >/dev/null; }
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 600); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }

# Starts cpa-sim on a free port and sets sim_port.
start_cpa_sim() {
    "$bin/cpa-sim" --listen 127.0.0.1:0 --management-key "$key" >"$work/sim.log" 2>&1 &
    for _ in $(seq 100); do grep -q "listening on" "$work/sim.log" && break; sleep 0.05; done
    sim_port=$(grep -o "listening on [0-9.]*:[0-9]*" "$work/sim.log" | grep -o "[0-9]*$")
}

# start_cpamd PORT THREADS [WRAPPER...]: cpamd bound to the cpa-sim through the environment, in the
# background (under WRAPPER, e.g. valgrind, when given). Its pid is $!.
start_cpamd() {
    local port=$1 threads=$2
    HTTP_ADDR=127.0.0.1:$port USAGE_DATA_DIR="$work/data" CPA_UPSTREAM_URL="http://127.0.0.1:$sim_port" \
        CPA_MANAGEMENT_KEY="$key" CPA_MANAGER_ADMIN_KEY="$admin" USAGE_COLLECTOR_MODE=http \
        USAGE_POLL_INTERVAL_MS=5000 USAGE_PLUGIN_DIR="$build/lib/cpamd/plugins" CPAMD_THREADS=$threads \
        CPAMD_LOG_LEVEL=warn "${@:3}" "$bin/cpamd" serve >"$work/cpamd.log" 2>&1 &
}
