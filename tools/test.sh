#!/usr/bin/env bash
# The test command of README.md: installs what is missing, then runs every test.
# Slow full-data tests run only with CITYGEO_FULL_TESTS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift test "$@"
