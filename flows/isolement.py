"""L'extraction d'un rapport dans un processus de travail à part.

libpdfium (pypdfium2) n'est pas sûr entre fils, et un fichier piégé peut faire planter
une bibliothèque native : un lot dont les rapports étaient lus dans des fils parallèles
est mort d'une erreur de segmentation sans rien enregistrer. Chaque lecture tourne donc
dans un processus de travail ; un plantage ne tue que lui, et ce rapport passe « en
erreur » avec une raison en français pendant que le lot continue.

Entre les processus ne passent que des chemins et des messages courts : le `Document`
est écrit en JSON à l'endroit que choisit l'appelant (`flows.etapes`). Ce module
n'importe pas Prefect : le serveur de processus (`forkserver`) le précharge une fois, avec
les lecteurs lourds (camelot, pytesseract), et chaque lecture démarre en quelques
millisecondes.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.spawn
import os
import signal
import tempfile
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from extracteurs.modeles import Document
from socle import erreurs
from socle.erreurs import DspError, ExtractionError
from socle.fichiers import ecrire_atomique
from socle.reglages import Reglages

Travail = Callable[[Path, Reglages, Path], None]
"""Lit `chemin` et écrit son `Document` JSON dans le troisième argument."""

_CONTEXTE = multiprocessing.get_context("forkserver")
# Le serveur de processus importe une fois ce que chaque lecture importerait sinon à
# nouveau (chaque processus de travail en est une copie neuve) : camelot (pandas, OpenCV)
# et pytesseract coûtaient ~0,7 s CPU par fichier d'un lot. `flows.gel`, en dernier, gèle
# ces objets pour le ramasse-miettes des copies (~0,09 s CPU de moins par fichier).
# Les lecteurs (`extracteurs.document`) sont préchargés par le serveur, pas importés par
# ce module : le processus principal, qui ne lit aucun PDF, ne charge pas pdfplumber.
PRECHARGES = [__name__, "extracteurs.document", "camelot.io", "pytesseract", "flows.gel"]
_CONTEXTE.set_forkserver_preload(PRECHARGES)
_PREFIXE = "lecture-"


def _preparation_sans_principal(
    origine: Callable[[str], dict[str, Any]],
) -> Callable[[str], dict[str, Any]]:
    """Les données de démarrage d'un processus de lecture, sans le module principal.

    multiprocessing fait réexécuter à chaque enfant le script principal du parent (pour
    y retrouver ce qu'il définit) : pour `dsp`, c'est toute la CLI, ~0,4 s CPU par
    fichier d'un lot. La lecture n'en utilise rien (cible et arguments sont importables
    par leur module) : seuls les processus nommés « lecture-… » en sont dispensés."""

    def preparation(nom: str) -> dict[str, Any]:
        donnees = origine(nom)
        if nom.startswith(_PREFIXE):
            donnees.pop("init_main_from_path", None)
            donnees.pop("init_main_from_name", None)
        return donnees

    preparation.__wrapped__ = origine  # type: ignore[attr-defined]
    return preparation


if not hasattr(multiprocessing.spawn.get_preparation_data, "__wrapped__"):
    setattr(  # noqa: B010 (une fonction du module standard, remplacée une fois)
        multiprocessing.spawn,
        "get_preparation_data",
        _preparation_sans_principal(multiprocessing.spawn.get_preparation_data),
    )


def extraire_vers(chemin: Path, reglages: Reglages, cible: Path) -> None:
    """Le travail par défaut : la lecture du rapport, écrite en JSON (écriture atomique)."""
    from extracteurs.document import extraire  # préchargé dans le serveur de processus

    ecrire_atomique(cible, extraire(chemin, reglages).json_par_morceaux())


TRAVAIL: Travail = extraire_vers
"""Ce que le processus de travail exécute ; les tests y substituent un plantage."""


def _mourir_avec_le_parent() -> None:
    """Le processus de travail s'arrête si le lot meurt (même par SIGKILL) : une lecture
    orpheline ne sert à personne et garderait mémoire et processeur."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def guetter() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=guetter, daemon=True, name="guet-parent").start()


def _executer(
    travail: Travail, chemin: Path, reglages: Reglages, cible: Path, canal: Connection
) -> None:
    _mourir_avec_le_parent()
    try:
        travail(chemin, reglages, cible)
    except DspError as exc:
        canal.send(("erreur", type(exc).__name__, exc.message, exc.fichier))
    else:
        canal.send(("ok",))
    finally:
        canal.close()


def _raison_du_plantage(code: int | None) -> str:
    if code is not None and code < 0:
        nom = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        cause = (
            "tué par le système, probablement faute de mémoire"
            if -code == signal.SIGKILL
            else f"plantage d'une bibliothèque native, signal {nom}"
        )
    else:
        cause = f"arrêt sans résultat, code de sortie {code}"
    return (
        f"La lecture de ce fichier a fait s'arrêter le lecteur ({cause}) : le fichier est "
        "probablement corrompu ou piégé. Les autres rapports du lot ont continué ; "
        "demandez-en une nouvelle copie au délégataire."
    )


def _erreur(message: tuple[str, ...]) -> DspError:
    _, classe, texte, fichier = message
    type_erreur = getattr(erreurs, classe, ExtractionError)
    if not (isinstance(type_erreur, type) and issubclass(type_erreur, DspError)):
        type_erreur = ExtractionError
    return type_erreur(texte, fichier=fichier)


STATUT_PERDU = 255
"""Code que multiprocessing donne à un enfant dont le serveur de processus n'a pas transmis
le statut de sortie (serveur tué ou disparu entre-temps) : rien n'est su de la lecture."""


def _lire_dans_un_processus(
    chemin: Path, cible: Path, reglages: Reglages
) -> tuple[Any, int | None]:
    """(message de l'enfant ou None, code de sortie) d'une lecture dans un processus."""
    recepteur, emetteur = _CONTEXTE.Pipe(duplex=False)
    processus = _CONTEXTE.Process(
        target=_executer,
        args=(TRAVAIL, chemin, reglages, cible, emetteur),
        name=f"{_PREFIXE}{chemin.name}",
    )
    processus.start()
    emetteur.close()  # le seul émetteur est l'enfant : sa mort ferme le canal
    try:
        message = recepteur.recv()
    except EOFError:
        message = None
    finally:
        recepteur.close()
        processus.join()
    return message, processus.exitcode


def extraire_isole(chemin: Path, cible: Path, reglages: Reglages) -> None:
    """Lit le fichier dans un processus de travail, qui écrit son `Document` JSON en
    `cible` (écriture atomique : `cible` est complet ou absent).

    Une erreur de lecture (`DspError`) y est levée à l'identique ; un plantage du
    processus devient une `ExtractionError` qui dit ce qui s'est passé. Le message de
    l'enfant fait foi : « ok » n'est envoyé qu'une fois `cible` écrite. Sans message ni
    statut (serveur de processus disparu, vu une fois en CI sur un lot de 3 fichiers),
    la lecture est refaite une fois par un serveur neuf : le fichier n'y est pour rien.
    """
    message, code = _lire_dans_un_processus(chemin, cible, reglages)
    if message is None and code == STATUT_PERDU:
        message, code = _lire_dans_un_processus(chemin, cible, reglages)
    if message is None:
        raise ExtractionError(_raison_du_plantage(code), fichier=chemin.name)
    if message[0] == "erreur":
        raise _erreur(message)


def document_isole(chemin: Path, reglages: Reglages) -> Document:
    """Le `Document` du fichier, lu dans un processus de travail, sans cache sur disque
    (`dsp traiter`) : un plantage natif ne fait échouer que ce fichier, et la mémoire de
    la lecture (objets pdfplumber, lignes brutes) est rendue au système avant le
    remplissage."""
    with tempfile.TemporaryDirectory(prefix="dsp-lecture-") as dossier:
        cible = Path(dossier) / "document.json"
        extraire_isole(chemin, cible, reglages)
        return Document.model_validate_json(cible.read_bytes())
