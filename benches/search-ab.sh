#!/usr/bin/env bash
# HTTP search throughput of two builds side by side, in one run, on one registry and index:
# each binary in turn serves the same data directory and wrk replays the same query paths
# (2 threads, CONNECTIONS connections, SECS seconds); ROUNDS rounds alternate A and B so that
# a change in the machine's load falls on both. The data directory and the query paths come
# from a kept benchmark run:
#
#   cargo bench --bench search -- --docs 200000 --engines sangam --skip-postgres --http \
#       --keep --work DIR
#   benches/search-ab.sh DIR BINARY_A BINARY_B
#
# DIR/sangam-data is the data directory, DIR/search.lua the wrk script of the query mix (it
# cycles through the bench's 2,000 queries; there is no result cache to flatter). Both binaries
# must know every migration the data directory has had. Prints one line per run and, at the
# end, the median requests/s, p50 and p99 of each binary.
set -euo pipefail

dir=${1:?usage: benches/search-ab.sh DIR BINARY_A BINARY_B}
a=${2:?binary A}
b=${3:?binary B}
rounds=${ROUNDS:-3}
secs=${SECS:-15}
connections=${CONNECTIONS:-16}
data=$dir/sangam-data
script=$dir/search.lua
[ -d "$data" ] || { echo "no data directory $data: run the bench with --keep --work $dir" >&2; exit 1; }
[ -f "$script" ] || { echo "no $script: run the bench with --http" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

server_pid=
stop() {
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
trap stop EXIT

# Starts BINARY on the data directory; sets server_pid and base.
start() {
    local log=$dir/ab-serve.log
    local fifo
    fifo=$(mktemp -u)
    mkfifo "$fifo"
    RUST_LOG=warn "$1" serve --bind 127.0.0.1:0 --data-dir "$data" >"$fifo" 2>"$log" &
    server_pid=$!
    local line
    base=
    exec 3<"$fifo"
    rm -f "$fifo"
    while read -r line <&3; do
        case $line in
        "listening on http://"*)
            base=${line#listening on }
            break
            ;;
        esac
    done
    # Keep draining the server's output so it never blocks on a full pipe.
    cat <&3 >/dev/null &
    exec 3<&-
    [ -n "$base" ] || { echo "the server did not start; see $log" >&2; exit 1; }
    # Warm the index's pages, as a server that has been up a while has them.
    wrk -t1 -c4 -d3s -s "$script" "$base" >/dev/null
}

results=$(mktemp)
for round in $(seq "$rounds"); do
    for side in A B; do
        binary=$a
        [ "$side" = B ] && binary=$b
        start "$binary"
        out=$(wrk -t2 -c"$connections" -d"${secs}s" --latency -s "$script" "$base")
        stop
        rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
        p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
        p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
        errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
        echo "round $round $side: ${rps} requests/s, p50 $p50, p99 $p99, non-2xx ${errors:-0}"
        echo "$side $rps $p50 $p99" >>"$results"
    done
done

# wrk's durations (812.00us, 1.23ms, 1.02s) in milliseconds.
ms() {
    awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000}}'
}
median() { sort -n | awk '{x[NR]=$1} END {print x[int((NR+1)/2)]}'; }
for side in A B; do
    rps=$(awk -v s="$side" '$1 == s {print $2}' "$results" | median)
    p50=$(awk -v s="$side" '$1 == s {print $3}' "$results" | ms | median)
    p99=$(awk -v s="$side" '$1 == s {print $4}' "$results" | ms | median)
    echo "median $side: $rps requests/s, p50 $p50 ms, p99 $p99 ms"
done
rm -f "$results"
