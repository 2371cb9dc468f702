#!/usr/bin/env bash
# Type-checks (and runs) test/consumer/app.mts, a small strict application, against the
# package as a user gets it: the built .d.ts, resolved through package.json "exports",
# with the app's own tsconfig (no DOM lib, exactOptionalPropertyTypes, skipLibCheck
# false), under `nodenext` and under `bundler` resolution.
#
#   test/consumer/check.sh           build the package (tsconfig.build.json with
#                                    --stripInternal) into a temporary app's
#                                    node_modules/leanrec (package.json + dist/)
#   test/consumer/check.sh <dir>     use an installed package instead, e.g.
#                                    <app>/node_modules/leanrec from the packed tarball
#                                    (its dependencies resolve from where it is installed)
#
# Environment:
#   TSC=<path to tsc>      check with another TypeScript (default: the repository's)
#   CONSUMER_RUN=0         type-check only (default: also compile and run the app)
#   CONSUMER_SKIP_MEM=1    leave out mem.mts (the leanrec/mem entry point)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tsc=${TSC:-$root/node_modules/.bin/tsc}
app=$(mktemp -d "${TMPDIR:-/tmp}/leanrec-consumer.XXXXXX")
trap 'rm -rf "$app"' EXIT
cp "$here"/*.mts "$here/tsconfig.json" "$here/tsconfig.bundler.json" "$app/"
mkdir -p "$app/node_modules"

# Link a package of the repository's node_modules into the app (when it is there).
link() {
  [ -e "$root/node_modules/$1" ] || return 0
  mkdir -p "$(dirname "$app/node_modules/$1")"
  ln -sfn "$(cd "$root/node_modules/$1" && pwd -P)" "$app/node_modules/$1"
}

if [ $# -ge 1 ]; then
  ln -s "$(cd "$1" && pwd -P)" "$app/node_modules/leanrec"
else
  pkg=$app/node_modules/leanrec
  mkdir -p "$pkg"
  cp "$root/package.json" "$pkg/"
  "$root/node_modules/.bin/tsc" -p "$root/tsconfig.build.json" --outDir "$pkg/dist" --stripInternal
  # What an install would bring: dependencies and peers (fast-check for leanrec/testing).
  for dep in $(node -e '
    const p = require(process.argv[1]);
    const names = Object.keys({ ...p.dependencies, ...p.peerDependencies, ...p.optionalDependencies });
    console.log([...new Set(names)].join("\n"));' "$root/package.json"); do
    link "$dep"
  done
fi
# The app's own: Node's types (types: ["node"]) and fast-check (leanrec/testing's peer).
link @types/node
link fast-check

programs="app mem"
if [ "${CONSUMER_SKIP_MEM:-0}" = 1 ]; then
  programs=app
  node -e '
    const fs = require("node:fs");
    const file = process.argv[1];
    const c = JSON.parse(fs.readFileSync(file, "utf8"));
    c.files = c.files.filter((f) => f !== "mem.mts");
    fs.writeFileSync(file, JSON.stringify(c, null, 2));' "$app/tsconfig.json"
  echo "consumer: leanrec/mem (mem.mts) left out (CONSUMER_SKIP_MEM=1)"
fi

echo "consumer: $("$tsc" -v) on $app"
"$tsc" -p "$app/tsconfig.json"
echo "consumer: nodenext ok"
"$tsc" -p "$app/tsconfig.bundler.json"
echo "consumer: bundler ok"
if [ "${CONSUMER_RUN:-1}" != 0 ]; then
  "$tsc" -p "$app/tsconfig.json" --noEmit false --outDir "$app/out"
  for p in $programs; do node "$app/out/$p.mjs" "$root/test/fixtures/Packages-sample"; done
  echo "consumer: ran"
fi
