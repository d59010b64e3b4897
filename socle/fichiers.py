"""Écritures atomiques : un fichier produit est complet ou absent, jamais à moitié écrit."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def ecrire_atomique(chemin: Path, contenu: str | bytes) -> None:
    """Écrit dans un fichier temporaire du même dossier puis le renomme (atomique en POSIX)."""
    chemin.parent.mkdir(parents=True, exist_ok=True)
    donnees = contenu.encode("utf-8") if isinstance(contenu, str) else contenu
    descripteur, temporaire = tempfile.mkstemp(dir=chemin.parent, prefix=f".{chemin.name}.")
    try:
        with os.fdopen(descripteur, "wb") as flux:
            flux.write(donnees)
            flux.flush()
            os.fsync(flux.fileno())
        os.replace(temporaire, chemin)
    except BaseException:
        Path(temporaire).unlink(missing_ok=True)
        raise
