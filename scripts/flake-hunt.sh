#!/usr/bin/env bash
# Flake hunt: runs every test of the workspace N times the way `cargo test` runs them and N
# times under nextest, from one build, then prints for each runner how many runs were green
# and which tests failed, how often.
#
#   nice -n 19 scripts/flake-hunt.sh [N]        # N defaults to 20
#
# Build once: `cargo nextest list` builds every test binary of the workspace (the set that
# `cargo test --workspace` builds) and records them. No later step runs a cargo build, so the
# runs neither recompile nor hold the target directory's lock.
#
# The two runners differ in what shares a process, which is what makes some flakes show:
# - "cargo test": each binary is run as `cargo test` runs it: one process per binary, its
#   tests on the libtest harness's parallel threads, the crate's directory as working
#   directory, CARGO_MANIFEST_DIR and CARGO_BIN_EXE_<bin> set. Doctests are left out (they
#   compile examples; scripts/test.sh runs them once).
# - "nextest": `cargo nextest run` over the recorded build (one process per test), retries off.
#
# Environment: AMZ_SHARED_DIR (default ../shared), DATABASE_URL (without it the PostgreSQL
# tests print SKIPPED), FLAKE_TIMEOUT (seconds per test binary and per nextest run, default
# 900), FLAKE_OUT (where the logs go, default a new directory under /tmp), FLAKE_ONLY (a
# regular expression: only the test binaries whose id matches, e.g. 'spapi-client::auth_flows'),
# FLAKE_ISOLATE=1 (see below).
#
# A target directory shared by several checkouts of this workspace (CARGO_TARGET_DIR) can
# make cargo reuse another checkout's build of a workspace crate: the artifact names do not
# depend on where the checkout lives, and a crate whose sources are older than the artifact
# counts as fresh. The hunt would then test someone else's code. FLAKE_ISOLATE=1 gives the
# workspace crates artifact names of their own (codegen-units 255 instead of 256, which
# changes nothing else), so they are built from this checkout; dependencies stay shared.
# Interrupted (Ctrl-C, TERM), it prints the summary of the runs it finished.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-20}
TIMEOUT=${FLAKE_TIMEOUT:-900}
OUT=${FLAKE_OUT:-$(mktemp -d /tmp/flake-hunt.XXXXXX)}
mkdir -p "$OUT"
export AMZ_SHARED_DIR="${AMZ_SHARED_DIR:-$(cd .. && pwd)/shared}"
for tool in jq timeout cargo-nextest; do
    command -v "$tool" >/dev/null || { echo "flake-hunt: needs $tool" >&2; exit 2; }
done

CARGO_ARGS=()
if [ "${FLAKE_ISOLATE:-0}" = 1 ]; then
    for pkg in $(cargo metadata --no-deps --format-version 1 | jq -r '.packages[].name'); do
        CARGO_ARGS+=(--config "profile.dev.package.\"$pkg\".codegen-units=255")
    done
fi
echo "flake-hunt: building the test binaries once (log: $OUT/build.log)" >&2
cargo nextest list --workspace "${CARGO_ARGS[@]}" --list-type binaries-only --message-format json \
    >"$OUT/binaries.json" 2>"$OUT/build.log" || { tail -n 30 "$OUT/build.log" >&2; exit 2; }
cargo metadata --format-version 1 >"$OUT/metadata.json"
TARGET_DIR=$(jq -r '."rust-build-meta"."target-directory"' "$OUT/binaries.json")

# One line per test binary: binary id, path, crate directory, package name, then the
# CARGO_BIN_EXE_<name>=<path> assignments of the package's binaries.
jq -r --arg target "$TARGET_DIR" '
    ."rust-build-meta"."non-test-binaries" as $bins
    | ."rust-binaries" | to_entries[] | .value
    | ."package-id" as $pkg
    | [ ."binary-id", ."binary-path",
        ($pkg | sub("^path\\+file://"; "") | sub("#.*$"; "")),
        ($pkg | capture("#(?<name>[^@]+)@").name) ]
      + [ ($bins[$pkg] // [])[] | "CARGO_BIN_EXE_\(.name)=\($target)/\(.path)" ]
    | join("\t")' "$OUT/binaries.json" | sort | { grep -E "^(${FLAKE_ONLY:-.*})"$'\t' || true; } >"$OUT/binaries.tsv"
[ -s "$OUT/binaries.tsv" ] || { echo "flake-hunt: no test binary matches FLAKE_ONLY" >&2; exit 2; }
NEXTEST_FILTER=()
[ -z "${FLAKE_ONLY:-}" ] || NEXTEST_FILTER=(-E "binary_id(/^(${FLAKE_ONLY})\$/)")
echo "flake-hunt: $(wc -l <"$OUT/binaries.tsv") test binaries; $N runs per runner; logs in $OUT" >&2

# The crates' executables (amzsync, amazon-sandbox) that tests start live under fixed names
# (target/debug/<name>, also compiled into tests through env!("CARGO_BIN_EXE_<name>")), which
# any other build in a shared target directory replaces. Keep a copy of this build's, put it
# back before each run (an atomic rename, as a build would), and flag a run during which
# another build replaced one.
mkdir -p "$OUT/bin"
mapfile -t EXES < <(jq -r --arg t "$TARGET_DIR" \
    '."rust-build-meta"."non-test-binaries"[][] | "\($t)/\(.path)"' "$OUT/binaries.json")
for exe in "${EXES[@]}"; do cp "$exe" "$OUT/bin/"; done
restore_exes() {
    local exe
    for exe in "${EXES[@]}"; do
        if ! cmp -s "$exe" "$OUT/bin/${exe##*/}"; then
            cp "$OUT/bin/${exe##*/}" "$exe.flake-hunt.tmp" && mv -f "$exe.flake-hunt.tmp" "$exe"
        fi
    done
}
exes_intact() {
    local exe
    for exe in "${EXES[@]}"; do cmp -s "$exe" "$OUT/bin/${exe##*/}" || return 1; done
}

declare -A GREEN=([cargo-test]=0 [nextest]=0) DONE=([cargo-test]=0 [nextest]=0) DISTURBED=([cargo-test]="" [nextest]="")
: >"$OUT/failures.txt" # "<runner>\t<run>\t<test>"

summary() {
    echo
    echo "flake-hunt summary (N=$N, logs in $OUT)"
    for runner in cargo-test nextest; do
        local label=${runner/cargo-test/cargo test}
        echo "$label: ${GREEN[$runner]}/${DONE[$runner]} runs green"
        [ -z "${DISTURBED[$runner]}" ] ||
            echo "  runs during which another build replaced an executable:${DISTURBED[$runner]}"
        awk -F'\t' -v r="$runner" '$1 == r { n[$3]++ } END { for (t in n) print n[t] "\t" t }' \
            "$OUT/failures.txt" | sort -k2 | while IFS=$'\t' read -r count name; do
            echo "  FAILED $name ($count of ${DONE[$runner]} runs)"
        done
    done
}
RUNNER_PID=
stop() {
    # Stop the run in progress (its `timeout` passes the signal on to the test process).
    if [ -n "$RUNNER_PID" ]; then
        pkill -TERM -P "$RUNNER_PID" 2>/dev/null || true
        kill -TERM "$RUNNER_PID" 2>/dev/null || true
    fi
    summary
    exit 130
}
trap stop INT TERM

# One `cargo test`-style run; prints the failing tests, one per line.
run_cargo_test() {
    local log=$1 id bin dir pkg rc
    local -a bins
    : >"$log"
    while IFS=$'\t' read -r id bin dir pkg rest; do
        read -r -a bins <<<"${rest//$'\t'/ }"
        echo "==== $id" >>"$log"
        rc=0
        (cd "$dir" && env CARGO_MANIFEST_DIR="$dir" CARGO_PKG_NAME="$pkg" "${bins[@]}" \
            timeout "$TIMEOUT" "$bin") >>"$log" 2>&1 </dev/null || rc=$?
        if [ "$rc" -ne 0 ]; then
            local failed
            failed=$(sed -n '/^==== '"${id//\//\\/}"'$/,$p' "$log" |
                sed -n 's/^test \(.*\) \.\.\. FAILED$/\1/p')
            if [ -n "$failed" ]; then
                sed "s|^|$id::|" <<<"$failed"
            elif [ "$rc" -eq 124 ]; then
                echo "$id (timed out after ${TIMEOUT}s)"
            else
                echo "$id (exit $rc, no test reported FAILED)"
            fi
        fi
    done <"$OUT/binaries.tsv"
}

# One nextest run; prints the failing tests, one per line.
run_nextest() {
    local log=$1 rc=0
    timeout "$TIMEOUT" cargo nextest run --binaries-metadata "$OUT/binaries.json" \
        --cargo-metadata "$OUT/metadata.json" --no-fail-fast --retries 0 \
        --color never --status-level fail --final-status-level fail --hide-progress-bar \
        "${NEXTEST_FILTER[@]}" >"$log" 2>&1 </dev/null || rc=$?
    if [ "$rc" -ne 0 ]; then
        local failed
        # The final summary lists each failed test as `FAIL [ 0.1s] binary-id test::name`.
        failed=$(sed -n '/^ *Summary \[/,$p' "$log" |
            sed -nE 's/^ *(FAIL|TIMEOUT|SIG[A-Z]+|ABORT|LEAK-FAIL|ERROR) +\[[^]]*\] +(\([^)]*\) +)?([^ ]+) +(.+)$/\3::\4/p' |
            sort -u)
        if [ -n "$failed" ]; then
            echo "$failed"
        elif [ "$rc" -eq 124 ]; then
            echo "nextest run (timed out after ${TIMEOUT}s)"
        else
            echo "nextest run (exit $rc, no test reported FAIL)"
        fi
    fi
}

for i in $(seq 1 "$N"); do
    for runner in cargo-test nextest; do
        start=$SECONDS
        log="$OUT/$runner-$i.log"
        restore_exes
        # In the background and waited for, so that a signal stops the hunt at once.
        if [ "$runner" = cargo-test ]; then
            run_cargo_test "$log" >"$OUT/failed.tmp" &
        else
            run_nextest "$log" >"$OUT/failed.tmp" &
        fi
        RUNNER_PID=$!
        wait "$RUNNER_PID" || true
        RUNNER_PID=
        failed=$(cat "$OUT/failed.tmp")
        DONE[$runner]=$((DONE[$runner] + 1))
        exes_intact || DISTURBED[$runner]+=" $i"
        if [ -z "$failed" ]; then
            GREEN[$runner]=$((GREEN[$runner] + 1))
            echo "[$runner $i/$N] green ($((SECONDS - start)) s)" >&2
        else
            sed "s/^/$runner\t$i\t/" <<<"$failed" >>"$OUT/failures.txt"
            echo "[$runner $i/$N] FAILED ($((SECONDS - start)) s): $(tr '\n' ' ' <<<"$failed")" >&2
        fi
    done
done
summary
[ "${GREEN[cargo-test]}" -eq "$N" ] && [ "${GREEN[nextest]}" -eq "$N" ]
