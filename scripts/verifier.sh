#!/usr/bin/env bash
# La commande de test du projet (README) : lint, types du cœur, contrat de couches, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 DO_NOT_TRACK=1
# Serveur PostgreSQL des tests du stockage (démarré par scripts/installer.sh → postgres.sh).
export DSP_TEST_POSTGRES_URL="${DSP_TEST_POSTGRES_URL:-postgresql+psycopg://dsp_test:dsp_test@localhost:5432/dsp_test}"

echo "== ruff"
bash scripts/uv.sh run --frozen ruff check .
bash scripts/uv.sh run --frozen ruff format --check .
echo "== mypy (cœur)"
bash scripts/uv.sh run --frozen mypy
echo "== contrat de couches (import-linter)"
bash scripts/uv.sh run --frozen lint-imports
echo "== pytest"
bash scripts/uv.sh run --frozen pytest "$@"
