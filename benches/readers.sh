#!/usr/bin/env bash
# The readers benchmark: how long each command's look at a guest takes through the direct
# reader (in-process, no appliance; qcow2 through a read-only qemu-nbd) and through the
# libguestfs appliance (TCG unless LIBGUESTFS_BACKEND_SETTINGS says otherwise), and how many
# appliances each run launches. Prints a Markdown table (README's "Speed" section) with the
# median of each cell; each run's time goes to stderr.
#
#   rejviz-peek -a IMAGE --json                      on a raw and on a qcow2 image
#   rejviz-install --print-command --disk IMAGE ...  what rejviz-install adds to virt-install
#                                                    (it reads the image, prints, runs nothing)
#   rejviz-customize --print-command -a IMAGE --nic name=eth9
#                                                    customize's look (the auto format)
#   rejviz-customize -a COPY --nic name=eth9         a whole run: launches counted (time too)
#
# Usage: benches/readers.sh
#        PROFILE=release benches/readers.sh          (default: the dev build)
#        RUNS=5 APPLIANCE_RUNS=1 benches/readers.sh  (default: 5 direct runs, 1 appliance run)
# Builds the test images and the binaries if missing. Needs virt-customize (the whole run).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
profile=${PROFILE:-dev}
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
runs=${RUNS:-5}
appliance_runs=${APPLIANCE_RUNS:-1}
scripts/build-test-images target/test-images >/dev/null 2>&1
cargo build -j1 -q --profile "$profile" --bins
bin="$here/target/$dir"
images="$here/target/test-images"
export LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Appliance launches are counted by a qemu wrapper (tests/support/count-qemu).
export LIBGUESTFS_HV="$here/tests/support/count-qemu" REJVIZ_QEMU_COUNT="$work/launches"

# median MS of `"$@"` over N runs, each printed on stderr; LAUNCHES: launches of the last run.
time_it() {
    local n=$1 label=$2
    shift 2
    local times=() start end ms
    for run in $(seq "$n"); do
        rm -f "$REJVIZ_QEMU_COUNT"
        start=$(date +%s%N)
        "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; echo "readers.sh: failed: $*" >&2; exit 1; }
        end=$(date +%s%N)
        ms=$(((end - start) / 1000000))
        times+=("$ms")
        printf '%-60s run %d: %7d ms\n' "$label" "$run" "$ms" >&2
    done
    LAUNCHES=$( [ -f "$REJVIZ_QEMU_COUNT" ] && wc -l <"$REJVIZ_QEMU_COUNT" || echo 0)
    MEDIAN=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((n + 1) / 2))p")
}

# One table row: the command with --reader direct and with --reader appliance.
row() {
    local label=$1
    shift
    time_it "${ROW_RUNS:-$runs}" "$label (direct)" "$@" --reader direct
    local direct=$MEDIAN direct_launches=$LAUNCHES
    time_it "$appliance_runs" "$label (appliance)" "$@" --reader appliance
    local appliance=$MEDIAN appliance_launches=$LAUNCHES
    printf '| %s | %d ms (%d) | %d ms (%d) | %s× |\n' "$label" "$direct" "$direct_launches" \
        "$appliance" "$appliance_launches" "$(awk -v a="$appliance" -v d="$direct" \
            'BEGIN { r = a / (d > 0 ? d : 1); printf (r < 10 ? "%.1f" : "%d"), r }')"
}

printf '| command (launches) | direct reader | appliance | speed-up |\n|---|---|---|---|\n'
row "rejviz-peek -a centos7.raw" "$bin/rejviz-peek" -a "$images/centos7.raw" --json
row "rejviz-peek -a untidy.qcow2" "$bin/rejviz-peek" -a "$images/untidy.qcow2" --json
row "rejviz-peek -a centos7-xfs.raw" "$bin/rejviz-peek" -a "$images/centos7-xfs.raw" --json
row "rejviz-install --print-command (raw)" "$bin/rejviz-install" --print-command --import --name bench \
    --memory 128 --disk "$images/centos7.raw,format=raw"
row "rejviz-customize --print-command --nic (raw)" "$bin/rejviz-customize" --print-command \
    --format raw -a "$images/centos7.raw" --nic name=eth9
cp --sparse=always "$images/centos7.raw" "$work/copy.raw"
ROW_RUNS=$appliance_runs row "rejviz-customize --nic, a whole run (raw)" "$bin/rejviz-customize" --format raw -a "$work/copy.raw" \
    --nic name=eth9
printf '\n%s build, %d direct and %d appliance runs (medians), LIBGUESTFS_BACKEND_SETTINGS=%s\n' \
    "$profile" "$runs" "$appliance_runs" "$LIBGUESTFS_BACKEND_SETTINGS"
