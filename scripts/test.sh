#!/usr/bin/env bash
# The whole test suite from a fresh clone: set-up (apt packages, npm ci, build), then npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm test
