#!/usr/bin/env bash
# Converts every non-SIMD .wast file of the WebAssembly spec suite into OUT (JSON commands
# and .wasm modules) with wabt's wast2json, then touches OUT/.stamp.
# usage: convert_spec.sh SUITE_DIR OUT_DIR
set -euo pipefail
suite=$1
out=$2
command -v wast2json >/dev/null || { echo "convert_spec: wast2json missing (Debian's wabt)" >&2; exit 1; }
[ -d "$suite" ] || { echo "convert_spec: no spec suite at $suite" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
count=0
for wast in "$suite"/*.wast; do
  name=$(basename "$wast" .wast)
  case $name in simd*) continue ;; esac
  wast2json "$wast" -o "$out/$name.json"
  count=$((count + 1))
done
[ "$count" -gt 0 ] || { echo "convert_spec: no .wast files in $suite" >&2; exit 1; }
touch "$out/.stamp"
