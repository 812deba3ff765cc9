#!/usr/bin/env bash
# Times `rejviz-peek -a IMAGE` on a raw test image through each reader, 3 runs each:
# the direct reader (in-process, no appliance) and the libguestfs appliance (TCG unless
# LIBGUESTFS_BACKEND_SETTINGS says otherwise). Prints one line per run and the medians.
#
# Usage: benches/readers.sh [IMAGE]     (default: target/test-images/centos7.raw)
#        PROFILE=release benches/readers.sh   (default: the dev build)
# Builds the test images (no appliance needed) and rejviz-peek if missing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
profile=${PROFILE:-dev}
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
scripts/build-test-images target/test-images >/dev/null 2>&1
cargo build -j1 -q --profile "$profile" --bin rejviz-peek
peek="target/$dir/rejviz-peek"
img=${1:-target/test-images/centos7.raw}
export LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg}

for reader in direct appliance; do
    times=()
    for run in 1 2 3; do
        start=$(date +%s%N)
        "$peek" --reader "$reader" --format raw -a "$img" --json >/dev/null
        end=$(date +%s%N)
        ms=$(( (end - start) / 1000000 ))
        times+=("$ms")
        printf '%-9s run %d: %6d ms\n' "$reader" "$run" "$ms"
    done
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
    printf '%-9s median: %6d ms (%s, %s build)\n' "$reader" "$median" "$(basename "$img")" "$profile"
done
