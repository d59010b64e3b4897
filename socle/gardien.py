"""Gardien : arrête un processus auxiliaire quand le processus qui l'a lancé meurt.

Un serveur lancé par une commande (le serveur Prefect éphémère de `dsp lot`) s'arrête
normalement avec elle ; mais une commande tuée par SIGKILL n'exécute plus rien, et le
serveur restait orphelin. Le gardien est un petit processus à part, dans sa propre
session (un Ctrl+C ou un SIGKILL du groupe ne l'atteint pas), qui lit un tube dont seule
la commande tient l'autre bout : le système ferme ce bout à la mort de la commande, quelle
qu'en soit la cause, et le gardien arrête alors le serveur (SIGTERM, puis SIGKILL).

Le processus surveillé est reconnu par son identifiant **et** son heure de démarrage
(`/proc`) : un identifiant réattribué entre-temps à un autre processus n'est jamais visé.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

DELAI_ARRET_S = 5.0
_tubes: list[int] = []
_gardiens: list[subprocess.Popen[bytes]] = []


def _stat(pid: int) -> list[str]:
    """Les champs de `/proc/PID/stat` après le nom ; vide hors Linux ou processus disparu."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return []
    return stat.rpartition(")")[2].split()


def heure_de_demarrage(pid: int) -> str:
    """L'heure de démarrage du processus (champ 22 de `/proc/PID/stat`, en tops d'horloge
    depuis l'amorçage) ; vide hors Linux ou si le processus n'existe plus."""
    champs = _stat(pid)
    return champs[19] if len(champs) > 19 else ""


def vivant(pid: int, demarrage: str = "") -> bool:
    """Vrai si le processus existe, n'est pas un zombie et (si `demarrage` est donné) est
    bien celui qui a démarré à cette heure-là."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    champs = _stat(pid)
    if champs and champs[0] == "Z":
        return False
    return not demarrage or heure_de_demarrage(pid) == demarrage


def surveiller(pid: int) -> None:
    """Confie le processus `pid` à un gardien : il sera arrêté quand ce processus-ci
    mourra, même tué par SIGKILL."""
    lecture, ecriture = os.pipe()  # non héritables : aucun autre enfant ne tient le tube
    racine = str(Path(__file__).resolve().parent.parent)
    chemins = os.pathsep.join(filter(None, (racine, os.environ.get("PYTHONPATH"))))
    gardien = subprocess.Popen(
        [sys.executable, "-m", "socle.gardien", str(pid), heure_de_demarrage(pid)],
        stdin=lecture, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, env={**os.environ, "PYTHONPATH": chemins},
    )  # fmt: skip
    os.close(lecture)
    _tubes.append(ecriture)  # ouvert jusqu'à la mort de ce processus
    _gardiens.append(gardien)


def arreter(pid: int, demarrage: str) -> None:
    """SIGTERM au processus s'il vit encore, puis SIGKILL après `DELAI_ARRET_S`."""
    for signal_envoye in (signal.SIGTERM, signal.SIGKILL):
        if not vivant(pid, demarrage):
            return
        os.kill(pid, signal_envoye)
        limite = time.monotonic() + DELAI_ARRET_S
        while time.monotonic() < limite and vivant(pid, demarrage):
            time.sleep(0.1)


def _garder(pid: int, demarrage: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while sys.stdin.buffer.read(4096):  # fin de fichier : le processus surveillant est mort
        pass
    arreter(pid, demarrage)


if __name__ == "__main__":
    _garder(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "")
