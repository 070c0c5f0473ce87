#!/usr/bin/env bash
# Installs residency for the GitHub Action (action.yml): the release binary for this runner,
# checked against the release's SHA256SUMS, or a build with cargo from the action's own source
# when the release has no binary for this runner (or the action is used from a path or a
# commit without a release). Prints the binary's path as the step output `binary`.
set -euo pipefail

version="${RESIDENCY_VERSION:-}"
if [ -z "$version" ]; then
  version="v$(sed -n 's/^version = "\(.*\)"$/\1/p' "$GITHUB_ACTION_PATH/Cargo.toml" | head -n 1)"
fi
case "${RUNNER_OS:-}-${RUNNER_ARCH:-}" in
  Linux-X64) target=x86_64-unknown-linux-musl; archive=tar.gz ;;
  macOS-ARM64) target=aarch64-apple-darwin; archive=tar.gz ;;
  macOS-X64) target=x86_64-apple-darwin; archive=tar.gz ;;
  Windows-X64) target=x86_64-pc-windows-msvc; archive=zip ;;
  *) target=""; archive="" ;;
esac
dir="${RUNNER_TEMP:-/tmp}/residency-install"
mkdir -p "$dir"
exe=residency
if [ "${RUNNER_OS:-}" = Windows ]; then exe=residency.exe; fi

sha256_check() {
  if command -v sha256sum >/dev/null; then sha256sum -c -; else shasum -a 256 -c -; fi
}

asset="residency-$version-$target.$archive"
binary=""
if [ -n "$target" ] && [ -n "${ACTION_REPOSITORY:-}" ] &&
  gh release download "$version" --repo "$ACTION_REPOSITORY" --dir "$dir" --clobber \
    --pattern "$asset" --pattern SHA256SUMS 2>/dev/null; then
  (cd "$dir" && grep -F " $asset" SHA256SUMS | sha256_check)
  if [ "$archive" = zip ]; then
    powershell -NoProfile -Command "Expand-Archive -Force -Path '$dir/$asset' -DestinationPath '$dir'"
  else
    tar -xzf "$dir/$asset" -C "$dir"
  fi
  binary="$dir/$exe"
else
  echo "::notice title=residency::no release binary $asset in ${ACTION_REPOSITORY:-the action repository}; building residency with cargo (a few minutes)"
  cargo install --locked --path "$GITHUB_ACTION_PATH" --root "$dir/cargo"
  binary="$dir/cargo/bin/$exe"
fi
"$binary" --version
echo "binary=$binary" >> "$GITHUB_OUTPUT"
