#!/usr/bin/env bash
# Times `rejviz-peek -a IMAGE` on test images through each reader: the direct reader
# (in-process, no appliance; a qcow2 image through a read-only qemu-nbd) and the libguestfs
# appliance (TCG unless LIBGUESTFS_BACKEND_SETTINGS says otherwise). Prints one line per
# run and the medians. The format is the image's extension (.qcow2, else raw).
#
# Usage: benches/readers.sh [IMAGE...]  (default: target/test-images/centos7.raw and
#                                        target/test-images/untidy.qcow2)
#        PROFILE=release benches/readers.sh   (default: the dev build)
#        RUNS=5 READERS=direct benches/readers.sh   (default: 3 runs, direct and appliance)
# Builds the test images (no appliance needed) and rejviz-peek if missing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
profile=${PROFILE:-dev}
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
runs=${RUNS:-3}
read -r -a readers <<<"${READERS:-direct appliance}"
scripts/build-test-images target/test-images >/dev/null 2>&1
cargo build -j1 -q --profile "$profile" --bin rejviz-peek
peek="target/$dir/rejviz-peek"
[ "$#" -gt 0 ] || set -- target/test-images/centos7.raw target/test-images/untidy.qcow2
export LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg}

for img in "$@"; do
    case "$img" in
        *.qcow2) format=qcow2 ;;
        *) format=raw ;;
    esac
    for reader in "${readers[@]}"; do
        times=()
        for run in $(seq "$runs"); do
            start=$(date +%s%N)
            "$peek" --reader "$reader" --format "$format" -a "$img" --json >/dev/null
            end=$(date +%s%N)
            ms=$(( (end - start) / 1000000 ))
            times+=("$ms")
            printf '%-9s run %d: %6d ms\n' "$reader" "$run" "$ms"
        done
        median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
        printf '%-9s median: %6d ms (%s, %s build)\n' "$reader" "$median" "$(basename "$img")" "$profile"
    done
done
