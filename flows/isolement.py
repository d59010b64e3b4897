"""L'extraction d'un rapport dans un processus de travail à part.

libpdfium (pypdfium2) n'est pas sûr entre fils, et un fichier piégé peut faire planter
une bibliothèque native : un lot dont les rapports étaient lus dans des fils parallèles
est mort d'une erreur de segmentation sans rien enregistrer. Chaque lecture tourne donc
dans un processus de travail (un « lecteur », qui lit les rapports d'une commande l'un
après l'autre) ; un plantage ne tue que lui, ce rapport passe « en erreur » avec une
raison en français, et le suivant est lu par un lecteur neuf pendant que le lot continue.

Entre les processus ne passent que des chemins et des messages courts : le `Document`
est écrit en JSON à l'endroit que choisit l'appelant (`flows.etapes`). Ce module
n'importe pas Prefect : le serveur de processus (`forkserver`) le précharge une fois, avec
les lecteurs lourds (camelot), et chaque lecteur démarre en quelques millisecondes.
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.spawn
import os
import signal
import sys
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
# Le serveur de processus importe une fois ce que chaque lecteur importerait sinon à
# nouveau (chaque lecteur en est une copie neuve ; des tâches Prefect concurrentes en ont
# un chacune) : camelot (pandas, OpenCV) coûtait ~0,7 s CPU par fichier d'un lot quand
# chaque fichier avait son processus. `flows.gel`, en dernier, gèle ces objets pour le
# ramasse-miettes des copies (~0,09 s CPU de moins par lecteur).
# Les lecteurs (`extracteurs.document`) sont préchargés par le serveur, pas importés par
# ce module : le processus principal, qui ne lit aucun PDF, ne charge pas pdfplumber.
PRECHARGES = [__name__, "extracteurs.document", "camelot.io", "flows.gel"]
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


REPOS_S = 30.0
"""Un lecteur sans demande depuis ce délai s'arrête : un processus qui dure (lots
planifiés, application de revue) ne garde pas la mémoire d'une lecture finie."""

CODE_REPOS = 75
"""Code de sortie d'un lecteur arrêté faute de demande (EX_TEMPFAIL) : une demande qui
le croise n'a pas été lue, elle est confiée à un lecteur neuf."""


def _servir(canal: Connection, repos_s: float) -> None:
    """La boucle d'un lecteur : une demande (travail, chemin, réglages, cible) à la fois,
    une réponse par demande ; s'arrête quand l'appelant ferme le canal ou au repos."""
    _mourir_avec_le_parent()
    while canal.poll(repos_s):
        try:
            travail, chemin, reglages, cible = canal.recv()
        except EOFError:
            return
        try:
            travail(chemin, reglages, cible)
        except DspError as exc:
            canal.send(("erreur", type(exc).__name__, exc.message, exc.fichier))
        else:
            canal.send(("ok",))
    sys.exit(CODE_REPOS)


class _Lecteur:
    """Un processus de lecture qui lit des rapports l'un après l'autre.

    Le relancer pour chaque fichier coûtait, en plus de la copie du serveur, un tas neuf
    à refauter page après page (pages recopiées à l'écriture, tampons de rendu) : ~15 000
    défauts de page par fichier. Un plantage ne tue que lui et le fichier en cours ;
    le suivant est lu par un lecteur neuf."""

    def __init__(self) -> None:
        self.canal, enfant = _CONTEXTE.Pipe(duplex=True)
        self.processus = _CONTEXTE.Process(
            target=_servir, args=(enfant, REPOS_S), name=f"{_PREFIXE}rapports", daemon=True
        )
        self.processus.start()
        enfant.close()  # le seul autre bout est le lecteur : sa mort ferme le canal

    def lire(self, chemin: Path, cible: Path, reglages: Reglages) -> tuple[Any, int | None]:
        """(réponse du lecteur, None), ou (None, code de sortie) s'il est mort sans répondre."""
        try:
            self.canal.send((TRAVAIL, chemin, reglages, cible))
            return self.canal.recv(), None
        except (EOFError, OSError):
            self.fermer()
            return None, self.processus.exitcode

    def fermer(self) -> None:
        """Ferme le canal (le lecteur s'arrête de lui-même) et attend sa fin."""
        self.canal.close()
        self.processus.join(timeout=5)
        if self.processus.exitcode is None:
            self.processus.kill()
            self.processus.join()


_LIBRES: list[_Lecteur] = []
_VERROU = threading.Lock()


def _prendre() -> _Lecteur:
    """Le dernier lecteur rendu encore vivant (sa mémoire est la plus chaude), ou un neuf.
    Chaque appelant simultané (tâches Prefect concurrentes) a le sien."""
    with _VERROU:
        while _LIBRES:
            lecteur = _LIBRES.pop()
            if lecteur.processus.is_alive():
                return lecteur
            lecteur.fermer()
    return _Lecteur()


def _rendre(lecteur: _Lecteur) -> None:
    with _VERROU:
        _LIBRES.append(lecteur)


@atexit.register
def arreter_les_lecteurs() -> None:
    """Arrête les lecteurs au repos (fin de commande ; tests qui veulent un lecteur neuf)."""
    with _VERROU:
        lecteurs, _LIBRES[:] = list(_LIBRES), []
    for lecteur in lecteurs:
        lecteur.fermer()


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
    """(message du lecteur ou None, code de sortie) d'une lecture par un lecteur."""
    lecteur = _prendre()
    message, code = lecteur.lire(chemin, cible, reglages)
    if message is not None:
        _rendre(lecteur)
    return message, code


def extraire_isole(chemin: Path, cible: Path, reglages: Reglages) -> None:
    """Lit le fichier dans un processus de travail, qui écrit son `Document` JSON en
    `cible` (écriture atomique : `cible` est complet ou absent).

    Une erreur de lecture (`DspError`) y est levée à l'identique ; un plantage du
    processus devient une `ExtractionError` qui dit ce qui s'est passé. Le message de
    l'enfant fait foi : « ok » n'est envoyé qu'une fois `cible` écrite. Sans message ni
    statut (serveur de processus disparu, vu une fois en CI sur un lot de 3 fichiers),
    ou confiée à un lecteur qui s'arrêtait au repos, la lecture est refaite une fois par
    un lecteur neuf : le fichier n'y est pour rien.
    """
    message, code = _lire_dans_un_processus(chemin, cible, reglages)
    if message is None and code in (STATUT_PERDU, CODE_REPOS):
        message, code = _lire_dans_un_processus(chemin, cible, reglages)
    if message is None:
        raise ExtractionError(_raison_du_plantage(code), fichier=chemin.name)
    if message[0] == "erreur":
        raise _erreur(message)


def document_isole(chemin: Path, reglages: Reglages) -> Document:
    """Le `Document` du fichier, lu dans un processus de travail, sans cache sur disque
    (`dsp traiter`) : un plantage natif ne fait échouer que ce fichier, et la mémoire de
    la lecture (objets pdfplumber, lignes brutes) reste au lecteur, hors du processus
    qui remplit la fiche."""
    with tempfile.TemporaryDirectory(prefix="dsp-lecture-") as dossier:
        cible = Path(dossier) / "document.json"
        extraire_isole(chemin, cible, reglages)
        return Document.model_validate_json(cible.read_bytes())
