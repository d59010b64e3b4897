#!/usr/bin/env bash
# Convertit des documents Word en PDF (LibreOffice sans écran, profil jetable) et en PNG.
# Usage : scripts/convertir_pdf.sh FICHIER.docx… --sortie DOSSIER [--png] [--pages N]
set -euo pipefail
RACINE="$(cd "$(dirname "$0")/.." && pwd)"
exec bash "$RACINE/scripts/uv.sh" run --frozen --project "$RACINE" python -m publication.conversion "$@"
