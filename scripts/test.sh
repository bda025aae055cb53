#!/usr/bin/env bash
# The project's test command (README: "run the tests"): every test of the workspace,
# doctests included. Tests that need PostgreSQL read DATABASE_URL (.ci/run starts a server).
set -euo pipefail
cd "$(dirname "$0")/.."
export AMZ_SHARED_DIR="${AMZ_SHARED_DIR:-$(cd .. && pwd)/shared}"
cargo nextest run --workspace --no-fail-fast "$@"
cargo test --workspace --doc "$@"
