"""Mesure du CPU et de la mémoire de **tous** les descendants d'un banc.

`dsp` lit chaque rapport dans un processus de travail né d'un serveur de processus
(`forkserver`, `flows.isolement`). Ce serveur survit quelques instants à son parent : sans
précaution, il finit orphelin, rattaché à init, et son CPU (et celui des lectures qu'il a
attendues) n'est compté nulle part — un banc croirait `dsp` bien moins cher qu'il n'est.
Le banc se déclare donc « subreaper » (prctl) : les orphelins lui reviennent, il les
attend, et `RUSAGE_CHILDREN` compte tout (CPU sommé, `ru_maxrss` = le plus gros).
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
from collections.abc import Sequence
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36


def devenir_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) refusé")


def attendre_orphelins() -> None:
    """Attend les descendants orphelins revenus au banc : leur CPU compte."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def cpu_enfants() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pic_enfants_mo() -> float:
    """Le plus gros pic de mémoire résidente parmi les descendants attendus (Mo)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_commande(commande: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Secondes CPU (user + sys) d'une commande et de tous ses descendants."""
    avant = cpu_enfants()
    subprocess.run(list(commande), check=True, env=env, stdout=subprocess.DEVNULL)
    attendre_orphelins()
    return cpu_enfants() - avant


def charge() -> str:
    return str(Path("/proc/loadavg").read_text().split(" ")[0:3])
