#!/usr/bin/env bash
# Compiles every synthdefs/<kind>/*.scd into synthdefs/compiled/<name>.scsyndef
# with headless sclang. sclang writes the same bytes on every run and machine,
# so the compiled files are committed and `--check` proves they match the sources.
#
# Usage: synthdefs/compile.sh [--check] [--out DIR] [--src DIR]
#   --check    compile into a temporary folder and compare with compiled/;
#              exit 1 naming every file that differs, is missing or has no source.
#   --out DIR  write here instead of compiled/ (no comparison).
#   --src DIR  compile DIR/**/*.scd instead, committed in DIR/../compiled
#              (the test fixtures: --src tests/synthdefs/src).
# Env: SCLANG_TIMEOUT seconds (default 120).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
committed="$here/compiled"
check=0 out="" src=""
while (( $# )); do
  case "$1" in
    --check) check=1 ;;
    --out) out=$2; shift ;;
    --src) src=$(cd "$2" && pwd); committed=$(cd "$2/.." && pwd)/compiled; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "compile.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

command -v sclang >/dev/null || {
  echo "compile.sh: sclang not found; install it with: apt-get install supercollider-language" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if (( check )); then out="$tmp/out"; fi
out=${out:-$committed}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The sources, one SynthDef per file, in folders by kind.
find "$here/lib" -name '*.scd' | sort >"$tmp/lib"
if [[ -n $src ]]; then
  find "$src" -name '*.scd' | sort >"$tmp/sources"
else
  find "$here/voices" "$here/fx" "$here/strip" "$here/util" -name '*.scd' | sort >"$tmp/sources"
fi

cat >"$tmp/build.scd" <<'SC'
(
var out = thisProcess.argv[0], list = thisProcess.argv[1], lib = thisProcess.argv[2], bad = 0, n = 0;
// Shared building blocks first (environment functions the sources call).
File.readAllString(lib).split($\n).reject(_.isEmpty).do { |path| thisProcess.interpreter.executeFile(path) };
File.readAllString(list).split($\n).reject(_.isEmpty).do { |path|
    var def = try { thisProcess.interpreter.executeFile(path) } { |e| e.reportError; nil };
    if(def.isKindOf(SynthDef)) {
        var f = File(out +/+ def.name ++ ".scsyndef", "wb");
        f.write(def.asBytes); f.close; n = n + 1;
    } {
        ("IMBOLC-FAILED " ++ path ++ " does not evaluate to one SynthDef").postln; bad = bad + 1;
    };
};
("IMBOLC-COMPILED % defs, % failed".format(n, bad)).postln;
(bad > 0).if { 1.exit } { 0.exit };
)
SC

# Headless: no display, and QtWebEngine needs --no-sandbox when run as root.
# sclang never exits after an uncaught top-level error, hence the timeout.
status=0
QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox \
  timeout "${SCLANG_TIMEOUT:-120}" sclang "$tmp/build.scd" "$out" "$tmp/sources" "$tmp/lib" \
  </dev/null >"$tmp/log" 2>&1 || status=$?
if (( status != 0 )); then
  grep -E 'ERROR|IMBOLC-FAILED' "$tmp/log" >&2 || tail -n 20 "$tmp/log" >&2
  (( status == 124 )) && echo "compile.sh: sclang timed out" >&2
  exit 1
fi
grep 'IMBOLC-COMPILED' "$tmp/log"

if (( check )); then
  differ=0
  for f in "$out"/*.scsyndef; do
    name=${f##*/}
    cmp -s "$f" "$committed/$name" || { echo "compile.sh: compiled/$name differs from its source (run make synthdefs)" >&2; differ=1; }
  done
  for f in "$committed"/*.scsyndef; do
    [[ -e "$out/${f##*/}" ]] || { echo "compile.sh: compiled/${f##*/} has no source" >&2; differ=1; }
  done
  (( differ == 0 )) && echo "compile.sh: compiled/ matches the sources"
  exit $differ
fi
