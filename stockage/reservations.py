"""Réservation d'un contenu à traiter : deux lots sur un même dossier ne traitent jamais
le même fichier ensemble.

Sans elle, deux `dsp lot` lancés sur un dossier voyaient chacun le fichier « nouveau »,
le traitaient chacun, et le rapport recevait deux versions de fiche et deux fois son
temps machine. La réservation est un verrou de fichier (`flock`) par empreinte sha256
sous `DSP_DATA_DIR/reservations/` : le système le rend de lui-même quand le processus qui
le tient meurt, même tué par SIGKILL, si bien qu'aucune réservation ne reste orpheline.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from socle.erreurs import StockageError
from socle.fichiers import cause_systeme

DOSSIER_RESERVATIONS = "reservations"


@contextmanager
def reserver(donnees: Path, sha256: str) -> Iterator[bool]:
    """Réserve le contenu `sha256` pour la durée du bloc ; rend faux, sans attendre, si un
    autre traitement (un autre lot, ou ce lot sous un autre nom) le tient déjà."""
    dossier = donnees / DOSSIER_RESERVATIONS
    try:
        dossier.mkdir(parents=True, exist_ok=True)
        descripteur = os.open(dossier / f"{sha256}.verrou", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StockageError(
            f"Impossible de réserver le fichier à traiter ({cause_systeme(exc)})."
        ) from exc
    try:
        try:
            fcntl.flock(descripteur, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descripteur)  # rend le verrou
