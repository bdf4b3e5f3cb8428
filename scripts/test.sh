#!/usr/bin/env bash
# Harvest Lab: the whole check, as CI runs it (`bash .ci/run` calls exactly this).
#
#   scripts/test.sh                 every stage, in order
#   scripts/test.sh fmt e2e ...     only the named stages (setup always runs first)
#
# Stages:
#   setup          scripts/setup.sh (installs whatever is missing)
#   fmt            cargo fmt --all -- --check
#   clippy-native  cargo clippy --workspace --all-targets -- -D warnings
#   clippy-wasm    cargo clippy --target wasm32-unknown-unknown: kernel, records, features, web (+ browser tests; + --features split) -- -D warnings
#   test-native    cargo test --workspace (unit, integration and doc tests)
#   test-browser   wasm-bindgen tests (crates/web/tests/ files with wasm_bindgen_test_configure!) in headless Chromium
#   build-release  trunk build --release --public-url /harvest-lab/ into dist/ (pinned nightly, see scripts/lib.sh)
#   e2e            node --test e2e/ (Playwright + Chromium against dist/ served under /harvest-lab/)
#   wasm-size      the gzipped .wasm in dist/: the dashboard's within 200,000 bytes, each chunk's and the research worker's within 150,000
#
# Every selected stage runs even if an earlier one failed (stages that need the release build
# are reported as not run when it failed). The last line is `N passed, N failed`; the exit
# status is non-zero if anything failed.
set -euo pipefail

HARVEST_SCRIPT=test
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$HARVEST_ROOT"

ALL_STAGES=(setup fmt clippy-native clippy-wasm test-native test-browser build-release e2e wasm-size)
# The budget (BENCHMARKS.md, "Dashboard download"): the dashboard's download (the wasm
# index.html loads) is at most 200,000 bytes gzipped, each lazily loaded chunk (downloaded the
# first time its part of the page is opened) at most 150,000. What users feel is measured
# beside it: the first proposal on screen over slow 4G (e2e/bench-first-proposal.mjs).
DASHBOARD_GZIP_BUDGET=200000
CHUNK_GZIP_BUDGET=150000
PUBLIC_URL=/harvest-lab/
DIST="$HARVEST_ROOT/dist"

if [ "$#" -gt 0 ]; then
  for s in "$@"; do
    [[ " ${ALL_STAGES[*]} " == *" $s "* ]] || harvest_die "unknown stage '$s' (stages: ${ALL_STAGES[*]})"
  done
  STAGES=(setup)
  for s in "${ALL_STAGES[@]:1}"; do [[ " $* " == *" $s "* ]] && STAGES+=("$s"); done
else
  STAGES=("${ALL_STAGES[@]}")
fi

# Test files that run in the browser (wasm-bindgen-test), as cargo --test arguments.
wasm_test_args() {
  local f
  for f in crates/web/tests/*.rs; do
    [ -e "$f" ] || continue
    if grep -q 'wasm_bindgen_test_configure!' "$f"; then
      printf -- '--test\n%s\n' "$(basename "$f" .rs)"
    fi
  done
}

# ---------------------------------------------------------------------------------------------
stage_setup() { "$HARVEST_ROOT/scripts/setup.sh"; }

stage_fmt() { cargo fmt --all -- --check; }

stage_clippy-native() { cargo clippy --workspace --all-targets -- -D warnings; }

stage_clippy-wasm() {
  local tests
  mapfile -t tests < <(wasm_test_args)
  # The pure crates compile for the browser too (the dashboard links them).
  cargo clippy --target wasm32-unknown-unknown -p harvest-kernel -p harvest-records -p harvest-features --lib -- -D warnings
  cargo clippy --target wasm32-unknown-unknown -p harvest-web --lib --bins "${tests[@]}" -- -D warnings
  # The release build's split points (cargo feature `split`, see crates/web/src/app.rs).
  cargo clippy --target wasm32-unknown-unknown -p harvest-web --lib --bins --features split -- -D warnings
}

stage_test-native() { cargo test --workspace; }

stage_test-browser() {
  local tests
  mapfile -t tests < <(wasm_test_args)
  if [ "${#tests[@]}" -eq 0 ]; then
    echo "no browser test files (crates/web/tests/*.rs with wasm_bindgen_test_configure!)" >&2
    return 1
  fi
  CHROMEDRIVER="$CHROMEDRIVER_BIN" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$HARVEST_ROOT/e2e/webdriver.json" \
    WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}" \
    cargo test --target wasm32-unknown-unknown -p harvest-web "${tests[@]}"
}

stage_build-release() {
  # With the pinned nightly (scripts/lib.sh), in a subshell: the other stages keep stable Rust.
  (
    harvest_release_wasm_env
    RUST_BACKTRACE=0 trunk build --release --public-url "$PUBLIC_URL" --dist "$DIST"
  )
}

stage_e2e() {
  # e2e/live.test.mjs runs the `harvest` binary (harvest serve, harvest propose).
  cargo build -q -p harvest-cli --bin harvest
  HARVEST_DIST="$DIST" HARVEST_BASE="$PUBLIC_URL" node --test e2e/
}

stage_wasm-size() {
  # The dashboard's download is the wasm index.html loads (`harvest-lab-*_bg.wasm`); each chunk (a view,
  # the theta box, code they share: downloaded the first time it is needed) is downloaded on
  # its own. Each is held to its budget, gzipped with -9 (without a file name in the header).
  local main worker f kind budget raw gz total_raw=0 total_gz=0 main_gz=0 worker_gz=0 report=() rc=0
  # The dashboard is harvest-lab-<hash>_bg.wasm; the Research panel's Web Worker
  # (harvest-research-worker_bg.wasm, downloaded when a research runs) is held to a chunk's budget.
  main=$(find "$DIST" -maxdepth 1 -name 'harvest-lab-*_bg.wasm' | head -n 1)
  if [ -z "$main" ]; then
    echo "no harvest-lab-*_bg.wasm in $DIST" >&2
    return 1
  fi
  worker="$DIST/harvest-research-worker_bg.wasm"
  if ! [ -f "$worker" ]; then
    echo "no $worker (the Research panel's Web Worker) in $DIST" >&2
    return 1
  fi
  while IFS= read -r f; do
    raw=$(stat -c %s "$f")
    # -n: the content only, not the (hashed) file name gzip would store in its header.
    gz=$(gzip -9 -n -c "$f" | wc -c)
    total_raw=$((total_raw + raw))
    total_gz=$((total_gz + gz))
    kind=chunk
    budget=$CHUNK_GZIP_BUDGET
    if [ "$f" = "$main" ]; then
      kind=dashboard
      budget=$DASHBOARD_GZIP_BUDGET
      main_gz=$gz
    elif [ "$f" = "$worker" ]; then
      kind=worker
      worker_gz=$gz
    fi
    report+=("$(printf '%s %s = %d bytes raw, %d bytes gzipped (%.1f KiB)' "$kind" "${f#"$DIST"/}" "$raw" "$gz" "$(awk -v b="$gz" 'BEGIN { print b / 1024 }')")")
    if [ "$gz" -gt "$budget" ]; then
      echo "$kind ${f#"$DIST"/} is $((gz - budget)) bytes over its budget of $budget bytes gzipped" >&2
      rc=1
    fi
  done < <(find "$DIST" -name '*.wasm' | sort)
  printf 'wasm size: %s\n' "${report[@]}"
  printf 'wasm size: dashboard %d bytes gzipped (budget %d), research worker %d, each chunk and the worker within %d; all wasm %d bytes raw, %d gzipped\n' \
    "$main_gz" "$DASHBOARD_GZIP_BUDGET" "$worker_gz" "$CHUNK_GZIP_BUDGET" "$total_raw" "$total_gz"
  mkdir -p target
  printf 'wasm: dashboard gzip=%d (budget %d, chunks and worker %d); research worker gzip=%d; all raw=%d gzip=%d\n' "$main_gz" "$DASHBOARD_GZIP_BUDGET" "$CHUNK_GZIP_BUDGET" "$worker_gz" "$total_raw" "$total_gz" >target/wasm-size.txt
  return "$rc"
}

# ---------------------------------------------------------------------------------------------
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

rm -f target/wasm-size.txt
declare -A RESULT=()
SUMMARY=()
passed=0
failed=0
t_all=$(now)

for stage in "${STAGES[@]}"; do
  reason=""
  if [ "$stage" != setup ] && [ "${RESULT[setup]:-}" = FAIL ]; then
    reason="setup failed"
  elif { [ "$stage" = e2e ] || [ "$stage" = wasm-size ]; } && [ "${RESULT[build-release]:-}" = FAIL ]; then
    reason="release build failed"
  elif { [ "$stage" = e2e ] || [ "$stage" = wasm-size ]; } && [ -z "${RESULT[build-release]:-}" ] &&
    ! [ -f "$DIST/index.html" ]; then
    reason="no release build in dist/ (run the build-release stage)"
  fi
  if [ -n "$reason" ]; then
    RESULT[$stage]=FAIL
    failed=$((failed + 1))
    SUMMARY+=("$(printf '  NOT RUN %-14s (%s)' "$stage" "$reason")")
    continue
  fi

  printf '\n==> [%s]\n' "$stage"
  t0=$(now)
  set +e
  (
    set -euo pipefail
    "stage_$stage"
  )
  rc=$?
  set -e
  t=$(secs "$t0" "$(now)")
  if [ "$rc" -eq 0 ]; then
    RESULT[$stage]=PASS
    passed=$((passed + 1))
    SUMMARY+=("$(printf '  PASS    %-14s %7ss' "$stage" "$t")")
  else
    RESULT[$stage]=FAIL
    failed=$((failed + 1))
    SUMMARY+=("$(printf '  FAIL    %-14s %7ss (exit %d)' "$stage" "$t" "$rc")")
  fi
  if [ "$stage" = setup ] && [ "$rc" -eq 0 ]; then
    # Everything is fetched now: no stage may touch the network.
    export CARGO_NET_OFFLINE=true
  fi
done

printf '\n==> summary (%ss in all)\n' "$(secs "$t_all" "$(now)")"
printf '%s\n' "${SUMMARY[@]}"
[ -n "${RESULT[wasm-size]:-}" ] && [ -f target/wasm-size.txt ] && printf '  %s\n' "$(cat target/wasm-size.txt)"
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
