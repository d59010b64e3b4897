"""Archive des fichiers reçus, adressée par contenu (sha256).

Le dossier de dépôt appartient aux agents : un fichier peut y être renommé, déplacé ou
supprimé. Une copie gardée sous `DSP_DATA_DIR/archives` permet de retraiter un rapport
rejeté et d'afficher ses pages dans l'application de revue sans dépendre du dépôt.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from socle.erreurs import StockageError
from socle.fichiers import cause_systeme

DOSSIER_ARCHIVES = "archives"


def chemin_archive(donnees: Path, sha256: str, fichier: str) -> Path:
    """Où le contenu `sha256` est archivé : sous son nom d'origine (la fiche d'un rapport
    retraité cite le même fichier), dans un dossier propre à son contenu."""
    return donnees / DOSSIER_ARCHIVES / sha256[:2] / sha256 / Path(fichier).name


def archiver(source: Path, sha256: str, donnees: Path) -> Path:
    """Copie `source` dans l'archive si elle n'y est pas déjà ; rend le chemin archivé.

    La copie passe par un fichier temporaire renommé : une archive est complète ou absente.
    """
    cible = chemin_archive(donnees, sha256, source.name)
    if cible.exists():
        return cible
    cible.parent.mkdir(parents=True, exist_ok=True)
    temporaire = cible.with_name(f".{cible.name}.partiel")
    try:
        shutil.copyfile(source, temporaire)
        temporaire.replace(cible)
    except OSError as exc:
        temporaire.unlink(missing_ok=True)
        raise StockageError(
            f"Impossible d'archiver le fichier reçu ({cause_systeme(exc)}).", fichier=source.name
        ) from exc
    return cible


def retrouver(donnees: Path, sha256: str, fichier: str) -> Path:
    """Le fichier archivé d'un rapport ; `StockageError` en français s'il manque."""
    chemin = chemin_archive(donnees, sha256, fichier)
    if not chemin.is_file():
        raise StockageError(
            "Le fichier d'origine de ce rapport n'est plus dans l'archive "
            f"({chemin}) : redéposez-le pour le retraiter.",
            fichier=fichier,
        )
    return chemin
