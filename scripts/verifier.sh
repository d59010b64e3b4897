#!/usr/bin/env bash
# La commande de test du projet (README) : lint, types du cœur, contrat de couches, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 DO_NOT_TRACK=1

echo "== ruff"
bash scripts/uv.sh run --frozen ruff check .
bash scripts/uv.sh run --frozen ruff format --check .
echo "== mypy (cœur)"
bash scripts/uv.sh run --frozen mypy
echo "== contrat de couches (import-linter)"
bash scripts/uv.sh run --frozen lint-imports
echo "== pytest"
bash scripts/uv.sh run --frozen pytest "$@"
