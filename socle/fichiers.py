"""Écritures atomiques : un fichier produit est complet ou absent, jamais à moitié écrit."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from socle.erreurs import StockageError


def ecrire_atomique(chemin: Path, contenu: str | bytes | Iterable[bytes]) -> None:
    """Écrit dans un fichier temporaire du même dossier puis le renomme (atomique en POSIX).
    Un contenu en morceaux est écrit au fil de l'eau (un gros JSON sans copie entière).

    Disque plein, droits insuffisants… : `StockageError` en français ; l'ancien fichier,
    s'il existait, reste intact et aucun temporaire ne traîne.
    """
    if isinstance(contenu, str):
        contenu = contenu.encode("utf-8")
    morceaux = [contenu] if isinstance(contenu, bytes) else contenu
    try:
        chemin.parent.mkdir(parents=True, exist_ok=True)
        descripteur, temporaire = tempfile.mkstemp(dir=chemin.parent, prefix=f".{chemin.name}.")
    except OSError as exc:
        raise _erreur_ecriture(chemin, exc) from exc
    try:
        with os.fdopen(descripteur, "wb") as flux:
            for morceau in morceaux:
                flux.write(morceau)
            flux.flush()
            os.fsync(flux.fileno())
        # mkstemp crée en 0600 : le fichier prend les droits d'un fichier ordinaire selon le
        # umask (`DSP_UMASK`), pour que l'équipe lise ce qui est publié.
        os.chmod(temporaire, 0o666 & ~umask_courant())
        os.replace(temporaire, chemin)
    except BaseException as exc:
        Path(temporaire).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _erreur_ecriture(chemin, exc) from exc
        raise


def umask_courant() -> int:
    """Le umask du processus, lu sans le modifier (os.umask l'écrirait un instant, ce qu'un
    autre fil verrait) ; repli sur os.umask hors Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as statut:
            for ligne in statut:
                if ligne.startswith("Umask:"):
                    return int(ligne.split()[1], 8)
    except OSError:
        pass
    masque = os.umask(0o022)
    os.umask(masque)
    return masque


CAUSES = {
    errno.ENOSPC: "espace disque insuffisant",
    errno.EDQUOT: "quota disque dépassé",
    errno.EACCES: "droits insuffisants",
    errno.EROFS: "disque en lecture seule",
}


def cause_systeme(exc: OSError) -> str:
    """La cause d'une erreur du système de fichiers, en français quand elle est courante."""
    return CAUSES.get(exc.errno or 0) or exc.strerror or str(exc)


def _erreur_ecriture(chemin: Path, exc: OSError) -> StockageError:
    cause = cause_systeme(exc)
    return StockageError(
        f"Écriture impossible de {chemin} ({cause}) : rien n'a été écrit à moitié, "
        "recommencez une fois le problème réglé.",
        fichier=chemin.name,
    )
