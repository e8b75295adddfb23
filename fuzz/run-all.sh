#!/bin/sh
# Run every fuzz target for SECONDS each (default 600), one after another,
# at low priority, and print one summary line per target: executions
# (libFuzzer's last `#N`), corpus files and size, and whether it found
# anything. Logs: fuzz/logs/<target>.log; findings: fuzz/artifacts/<target>/.
#
#   fuzz/run-all.sh [SECONDS] [TARGET...]
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
set -u
cd "$(dirname "$0")"
seconds=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-$(cargo +nightly fuzz list)}
mkdir -p logs
nice -n 15 cargo +nightly fuzz build || exit 1
status=0
for target in $targets; do
    log="logs/$target.log"
    nice -n 15 cargo +nightly fuzz run "$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=30 \
        >"$log" 2>&1
    result=$?
    execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
    files=$(find "corpus/$target" -type f | wc -l)
    size=$(du -sk "corpus/$target" | cut -f1)
    if [ "$result" -eq 0 ]; then
        verdict="no finding"
    else
        verdict="FINDING (exit $result, see $log and artifacts/$target/)"
        status=1
    fi
    echo "$target: ${seconds}s, ${execs:-?} executions, corpus $files files / ${size} KiB, $verdict"
done
exit $status
