#!/usr/bin/env bash
# Fuzz one target (or all) for a number of seconds each, seeded from sample-configs/ and the
# test fixtures. Crashes land in fuzz/artifacts/TARGET/; add each minimised input to
# tests/fixtures/fuzz/ with a regression test.
#   fuzz/run.sh [TARGET|all] [SECONDS]      (default: all, 300 s each)
# Needs cargo-fuzz (`cargo install cargo-fuzz`); RUSTC_BOOTSTRAP lets the stable toolchain build
# the sanitizer flags cargo-fuzz uses.
set -euo pipefail
cd "$(dirname "$0")"
TARGET="${1:-all}"
SECONDS_EACH="${2:-300}"
export RUSTC_BOOTSTRAP=1

seed() {
  local target="$1" dir="corpus/$1"
  mkdir -p "$dir"
  local files
  case "$target" in
    hcl) files=$(find ../sample-configs ../tests/fixtures -name '*.tf') ;;
    terraform_json) files=$(find ../sample-configs ../tests/fixtures -name '*.tf.json') ;;
    cloudformation) files=$(find ../sample-configs ../tests/fixtures -name '*.yaml' -o -name '*.json' | grep -v '\.tf\.json$') ;;
    policy) files=$(find ../policies -name '*.json') ;;
    catalog) files=$(find ../src/catalog/data -name '*.json') ;;
    config) files=$(find ../examples -name '*.toml') ;;
    tenants) files=$(find ../sample-configs ../tests/fixtures -name 'mail-tenants.json') ;;
    arm) files=$(grep -rl 'schema.management.azure.com' ../sample-configs ../tests/fixtures --include='*.json') ;;
    tfplan) files=$(grep -rlE '"(format|terraform)_version"' ../sample-configs ../tests/fixtures --include='*.json' --include='*.tfstate') ;;
    kubernetes) files=$(grep -rl 'apiVersion' ../sample-configs ../tests/fixtures --include='*.yaml' --include='*.json') ;;
    bicep) files=$(find ../sample-configs ../tests/fixtures -name '*.bicep' -o -name '*.bicepparam') ;;
    scan) files="" ;;
  esac
  for f in $files; do cp "$f" "$dir/$(echo "$f" | tr '/.' '__')"; done
  if [ "$target" = scan ]; then
    # The first byte picks the file kind: 0 .tf, 1 .tf.json, 2 .yaml, 3 .json.
    for f in $(find ../sample-configs ../tests/fixtures/flows -name '*.tf'); do
      { printf '\x00'; cat "$f"; } > "$dir/tf_$(echo "$f" | tr '/.' '__')"
    done
    for f in $(find ../sample-configs ../tests/fixtures -name '*.yaml'); do
      { printf '\x02'; cat "$f"; } > "$dir/yaml_$(echo "$f" | tr '/.' '__')"
    done
  fi
}

targets="$TARGET"
if [ "$TARGET" = all ]; then
  targets="hcl terraform_json cloudformation policy catalog config tenants arm bicep tfplan kubernetes scan"
fi
for t in $targets; do
  seed "$t"
  echo "== fuzzing $t for ${SECONDS_EACH}s"
  # -detect_leaks=0: the scan target runs the pipeline, which spawns threads; glibc's
  # registration of their thread-local destructors (__cxa_thread_atexit_impl, 32 bytes) is
  # reported by LeakSanitizer as a leak now and then. Memory growth is still caught by
  # -rss_limit_mb, and hangs by -timeout.
  cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 -timeout=10 -detect_leaks=0
done
