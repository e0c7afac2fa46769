#!/usr/bin/env bash
# Checks that the C++ sources pass clang-format (lint.sh format) or clang-tidy with the
# project's configuration (lint.sh tidy BUILD_DIR, which needs compile_commands.json).
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  format)
    git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror
    echo "lint: every file is clang-formatted"
    ;;
  tidy)
    build=${2:?usage: lint.sh tidy BUILD_DIR}
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    if ! git ls-files 'kernel/*.cc' 'lib/*.cc' 'sdk/*.cc' 'tests/*.cc' 'tools/*.cc' 'drivers/*.cc' \
        'servers/*.cc' 'apps/*.cc' 'bench/*.cc' |
        xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet --warnings-as-errors='*' >"$log" 2>&1; then
      grep -v "warnings generated" "$log"
      exit 1
    fi
    echo "lint: clang-tidy found nothing"
    ;;
  *)
    echo "usage: lint.sh format | tidy BUILD_DIR" >&2
    exit 2
    ;;
esac
