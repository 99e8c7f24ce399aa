#!/usr/bin/env bash
# Builds the libFuzzer targets of tools/fuzz (release, with AddressSanitizer) and runs each for a fixed time.
#
#   tools/fuzz/run.sh [seconds-per-target] [target ...]     targets: geojson wkt wkb csv address geocode
#   tools/fuzz/run.sh --smoke [target ...]                  what CI runs: a fixed number of inputs per target
#                                                           from a fixed seed (about a minute in all), so the same
#                                                           code always sees the same inputs
#
# Prints one line per target (executions, executions per second, coverage, corpus, slowest input, peak memory,
# crashes) and exits non-zero when any target crashed, hung, ran out of memory or broke an invariant. Inputs that
# did are saved in tools/fuzz/crashes/ (ignored by git); rerun one with .build-fuzz/release/fuzz-<target> <file>.
# The corpus each run grows is in .build-fuzz/corpus/<target> and starts afresh every run from the seeds, so that
# runs of the same length are comparable; set CITYGEO_FUZZ_KEEP_CORPUS=1 to continue from the last one instead.
set -euo pipefail

smoke=0
if [ "${1:-}" = "--smoke" ]; then
    smoke=1
    seconds=0
    shift
else
    seconds=${1:-60}
    shift || true
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(geojson wkt wkb csv address geocode)

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
scratch="$root/.build-fuzz"
crashes="$here/crashes"
logs="$scratch/logs"
mkdir -p "$crashes" "$logs"

echo "building fuzz targets (release, -sanitize=fuzzer,address) ..."
# Sanitizer flags go to this package's build only; the main package is never built with them.
# SwiftPM keeps the build plan of a path dependency and misses source files added to it since (a new file of
# GeoAddress is then "not in scope"): drop the plan so that it is made afresh, which takes seconds.
rm -f "$scratch/release.yaml" "$scratch/release/description.json"
# Runs `swift build` with the given arguments, its output into LOG; on failure prints its errors and exits 2.
build_into() {
    local log=$1
    shift
    if ! swift build -c release "$@" >"$log" 2>&1; then
        grep -E "error:" "$log" | sort -u | head -n 40 >&2 || tail -n 40 "$log" >&2
        exit 2
    fi
}
# SwiftPM passes -Xswiftc flags to the macro plugin too, where libFuzzer's main would clash with the plugin's own:
# build the plugin first without them, in a folder of its own, and have every target load it (Package.swift,
# CITYGEO_MACRO_PLUGIN).
# (`--target GeoCore`: building a target that uses the plugin is what links the plugin's executable.)
build_into "$logs/macros.log" --package-path "$root" --scratch-path "$scratch/macros" --target GeoCore
export CITYGEO_MACRO_PLUGIN="$scratch/macros/release/GeoMacrosPlugin-tool"
build_into "$logs/build.log" --package-path "$here" --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address
bin="$scratch/release"

python3 "$here/make_seeds.py" "$scratch/seeds"

# Inputs longer than this are not generated: long enough for deep nesting and long address runs, short enough
# for tens of thousands of executions a second.
declare -A max_len=([geojson]=8192 [wkt]=4096 [wkb]=4096 [csv]=4096 [address]=2048 [geocode]=1024)
declare -A dictionary=([geojson]=geojson [wkt]=wkt [wkb]= [csv]=csv [address]=address [geocode]=address)
declare -A seed_source=([geojson]=geojson [wkt]=wkt [wkb]=wkb [csv]=csv [address]=address [geocode]=address)
# Inputs per target in --smoke runs: 5 to 15 s each at the rates of a 2-core machine.
declare -A smoke_runs=([geojson]=500000 [wkt]=400000 [wkb]=250000 [csv]=250000 [address]=8000 [geocode]=1000)

failed=0
printf '\n%-8s %11s %8s %6s %6s %13s %8s %7s %8s  %s\n' target execs exec/s cov ft corpus slowest rss_mb crashes notes
for target in "${targets[@]}"; do
    [ -n "${max_len[$target]+set}" ] || { echo "unknown target '$target'" >&2; exit 2; }
    corpus="$scratch/corpus/$target"
    [ "${CITYGEO_FUZZ_KEEP_CORPUS:-0}" = 1 ] || rm -rf "$corpus"
    mkdir -p "$corpus"
    seeds=("$scratch/seeds/${seed_source[$target]}")
    [ -d "$here/seeds/${seed_source[$target]}" ] && seeds+=("$here/seeds/${seed_source[$target]}")
    flags=(-timeout=10 -rss_limit_mb=2048 -max_len="${max_len[$target]}" -print_final_stats=1 -artifact_prefix="$crashes/$target-")
    if [ "$smoke" = 1 ]; then
        flags+=(-runs="${smoke_runs[$target]}" -seed=320904)
    else
        flags+=(-max_total_time="$seconds")
    fi
    [ -n "${dictionary[$target]}" ] && flags+=(-dict="$here/dict/${dictionary[$target]}.dict")
    log="$logs/$target.log"
    status=0
    (cd "$scratch" && "$bin/fuzz-$target" "${flags[@]}" "$corpus" "${seeds[@]}") >"$log" 2>&1 || status=$?

    stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
    execs=$(stat number_of_executed_units)
    rate=$(stat average_exec_per_sec)
    slowest=$(stat slowest_unit_time_sec)
    rss=$(stat peak_rss_mb)
    # The last status line (#N DONE/pulse/NEW ... cov: C ft: F corp: U/S) has the final coverage.
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 || true)
    cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.*corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
    found=0
    notes=""
    if [ "$status" -ne 0 ]; then
        found=1
        failed=1
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        reason=$(grep -m 1 -E 'fuzz invariant broken|ERROR: libFuzzer|ERROR: AddressSanitizer|Fatal error|deadly signal' "$log" || true)
        notes="exit $status: ${reason:0:160} -> ${artifact:-see $log}"
    fi
    printf '%-8s %11s %8s %6s %6s %13s %7ss %7s %8s  %s\n' "$target" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
        "${corp:-?}" "${slowest:-?}" "${rss:-?}" "$found" "$notes"
done
echo
echo "logs: $logs; corpora: $scratch/corpus"
if [ "$failed" -ne 0 ]; then
    echo "fuzzing found failures; inputs are in $crashes" >&2
    exit 1
fi
