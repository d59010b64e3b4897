#!/usr/bin/env bash
# La commande de test du projet (README) : lint, types du cœur, contrat de couches, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.local/bin:$PATH"
export HF_HUB_OFFLINE=1 DO_NOT_TRACK=1

echo "== ruff"
uv run --frozen ruff check .
uv run --frozen ruff format --check .
echo "== mypy (cœur)"
uv run --frozen mypy
echo "== contrat de couches (import-linter)"
uv run --frozen lint-imports
echo "== pytest"
uv run --frozen pytest "$@"
