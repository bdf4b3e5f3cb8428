#!/usr/bin/env bash
# trunk post_build hook (Trunk.toml): writes the page's Content-Security-Policy (release builds),
# and puts the view chunks that scripts/tools/wasm-bindgen split
# off the app, and their loader (all with content hashes in their names), beside it in the
# staging dir, the chunks optimised with wasm-opt in release builds, and points the loader at the
# app's (hashed) JS glue.
set -euo pipefail

: "${TRUNK_STAGING_DIR:?run by trunk}"
profile="${TRUNK_PROFILE:-debug}"
target_dir="${CARGO_TARGET_DIR:-$TRUNK_SOURCE_DIR/target}"
stash="$target_dir/wasm-bindgen/$profile.split"

# The app's glue only (harvest-lab-<hash>.js): the Research panel's Web Worker has its own
# (harvest-research-worker.js, research-worker.js), which is neither split nor hashed.
glue=$(cd "$TRUNK_STAGING_DIR" && ls -- harvest-lab-*.js 2>/dev/null | head -n 1 || true)
[ -n "$glue" ] || { echo "post-build: no JS glue harvest-lab-*.js in $TRUNK_STAGING_DIR" >&2; exit 1; }

# Release builds carry a Content-Security-Policy with the hashes of their inline scripts
# (scripts/csp.mjs). Dev builds (`scripts/serve.sh --dev`) have none: trunk's live reload there
# injects a script and a websocket.
if [ "$profile" = release ]; then
  node "$TRUNK_SOURCE_DIR/scripts/csp.mjs" "$TRUNK_STAGING_DIR/index.html"
fi

if grep -q '__wasm_split_placeholder__' "$TRUNK_STAGING_DIR/$glue"; then
  echo "post-build: the app was built with split points but not split: build it through scripts/serve.sh or scripts/test.sh (their PATH has scripts/tools/wasm-bindgen)" >&2
  exit 1
fi
if ! grep -q '__wasm_split.js' "$TRUNK_STAGING_DIR/$glue"; then
  exit 0 # not a split build
fi
loaders=("$stash"/__wasm_split-*.js)
[ "${#loaders[@]}" -eq 1 ] && [ -f "${loaders[0]}" ] ||
  { echo "post-build: expected one $stash/__wasm_split-<hash>.js" >&2; exit 1; }
loader=$(basename "${loaders[0]}")

for f in "$stash"/*.wasm; do
  dest="$TRUNK_STAGING_DIR/$(basename "$f")"
  if [ "$profile" = release ]; then
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      --strip-producers --strip-target-features "$f" -o "$dest"
  else
    cp "$f" "$dest"
  fi
done
sed "s#\"\./[^\"]*\.js\"#\"./$glue\"#" "$stash/$loader" >"$TRUNK_STAGING_DIR/$loader"
