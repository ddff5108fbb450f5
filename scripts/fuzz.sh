#!/usr/bin/env bash
# Fuzzes the gateway with cargo-fuzz (libFuzzer): each target in fuzz/ runs
# for FUZZ_SECONDS (60) seconds, one after the other. Not part of CI: run it
# by hand, e.g. before a release or after touching a parser.
#
#   scripts/fuzz.sh                      # all targets, 60 s each
#   scripts/fuzz.sh cursor_decoder       # one target
#   FUZZ_SECONDS=600 scripts/fuzz.sh     # longer runs
#   FUZZ_SANITIZER=address scripts/fuzz.sh  # with AddressSanitizer (~7x slower)
#
# The default is no sanitizer: the gateway forbids `unsafe`, so what the
# targets look for is panics and broken invariants, and ASan would cost
# most of the executions (cursor_decoder: ~460 exec/s with it, ~3 400
# without). Use FUZZ_SANITIZER=address now and then to cover the unsafe
# code of dependencies too.
#
# Prints one line per target (runs executed, exec/s, crashes) and exits
# non-zero when a target crashed, failed to build, or did not run. Crashing
# inputs land in fuzz/artifacts/<target>/ (replay one with `RUSTC_BOOTSTRAP=1
# cargo fuzz run --sanitizer none --target-dir fuzz/target/nosan <target>
# fuzz/artifacts/<target>/crash-…`),
# the growing corpus in fuzz/corpus/<target>/ and each run's log in
# fuzz/artifacts/<target>.log; all three stay out of git. The committed seeds
# are in fuzz/seeds/<target>/.
#
# The machines have only stable Rust, while cargo-fuzz needs nightly flags
# (-Zsanitizer, sanitizer coverage options); RUSTC_BOOTSTRAP=1 lets stable
# rustc and cargo accept them. Builds go under fuzz/target (fuzz/ is its own
# workspace), never to the main target/ directory: fuzz/target/nosan without
# a sanitizer, fuzz/target with ASan, so switching does not rebuild both.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
sanitizer="${FUZZ_SANITIZER:-none}"
build_opts=(--sanitizer "$sanitizer")
[ "$sanitizer" = none ] && build_opts+=(--target-dir fuzz/target/nosan)
all_targets=(template_parser enrichment_backfill cursor_decoder)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is missing; installing it" >&2
  cargo install cargo-fuzz --locked || { echo "FATAL: cannot install cargo-fuzz" >&2; exit 1; }
fi

# Build first, so that build time is not fuzzing time. Release mode with
# debug assertions and overflow checks (cargo fuzz's default); the targets
# share the instrumented dependencies.
for t in "${targets[@]}"; do
  if ! cargo fuzz build "${build_opts[@]}" "$t"; then
    echo "FATAL: building fuzz target $t failed" >&2
    exit 1
  fi
done

status=0
summary=()
for t in "${targets[@]}"; do
  corpus="fuzz/corpus/$t"
  artifacts="fuzz/artifacts/$t"
  log="fuzz/artifacts/$t.log"
  mkdir -p "$corpus" "$artifacts"
  seeds=("fuzz/seeds/$t")
  [ -d "fuzz/seeds/$t" ] || seeds=()
  before=$(find "$artifacts" -type f | wc -l)
  echo "== $t: fuzzing for ${seconds}s (sanitizer: $sanitizer; log: $log)" >&2
  start=$(date +%s)
  # The first corpus directory gets the new inputs; the seeds are only read.
  cargo fuzz run "${build_opts[@]}" "$t" "$corpus" "${seeds[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  after=$(find "$artifacts" -type f | wc -l)
  crashes=$((after - before))
  inputs=$(find "$corpus" -type f | wc -l)
  line="$t: ${runs:-0} runs, ${speed:-0} exec/s, ${crashes} crashes, exit ${rc}, ${elapsed}s, corpus ${inputs} inputs"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ] || [ -z "$runs" ]; then
    status=1
    line="FAIL $line"
    new=$(find "$artifacts" -type f -newermt "@$start" | head -n3 | tr '\n' ' ')
    [ -n "$new" ] && line="$line; input: $new"
    grep -m3 -E "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer|SUMMARY" "$log" >&2 || tail -n 20 "$log" >&2
  else
    line="ok   $line"
  fi
  echo "$line"
  summary+=("$line")
done

echo "---- fuzz summary (${seconds}s per target) ----"
printf '%s\n' "${summary[@]}"
exit "$status"
