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
    # Each file once per compile command, skipping files whose inputs all passed before.
    exec python3 tools/lint_tidy.py "${2:?usage: lint.sh tidy BUILD_DIR}"
    ;;
  *)
    echo "usage: lint.sh format | tidy BUILD_DIR" >&2
    exit 2
    ;;
esac
