"""Environnement des processus `dsp`, réglé avant tout import lourd.

Sur une machine partagée (2 cœurs), le parallélisme se fait entre documents : un lecteur
par appelant simultané (`flows.isolement`). Les fils de calcul en plus, et un coût fixe,
n'y servent à rien :
- Tesseract (OpenMP) est ~8× plus lent à plusieurs fils sur 2 cœurs partagés : un fil par
  page suffit (`OMP_THREAD_LIMIT`, lu par chaque Tesseract lancé) ;
- OpenBLAS (numpy, qu'importent camelot et OpenCV) lance à l'import un fil de calcul
  par cœur, qui attend du travail en boucle active : `import numpy` coûte 0,157 s CPU au
  lieu de 0,096 s avec `OPENBLAS_NUM_THREADS=1` (mesuré ici), et la lecture ne fait
  ensuite aucun calcul matriciel qui en profiterait ;
- pydantic, à la création du premier modèle, parcourt les points d'entrée de toutes les
  distributions installées pour y chercher des greffons (~0,04 s CPU par processus) ;
  Synthèse DSP n'en utilise aucun.

Le ramasse-miettes de la génération jeune passe toutes les 700 allocations par défaut :
une commande `dsp` (imports, fiches) ou une lecture (caractères de pdfplumber) crée des
millions de petits objets, presque aucun dans un cycle. `espacer_les_collectes` relève ce
seuil (voir `SEUIL_JEUNES`) ; les cycles restent collectés.

Posées par la CLI, par `flows` et par `extracteurs.ocr` (une lecture lancée sans eux) ;
les processus enfants (serveur de processus de lecture, lectures, Tesseract, serveur
Prefect) en héritent. Une valeur déjà définie par l'utilisateur est gardée : un
greffon pydantic (instrumentation) reste possible avec `PYDANTIC_DISABLE_PLUGINS=`.
"""

from __future__ import annotations

import gc
import os

DEFAUTS = {
    "OMP_THREAD_LIMIT": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "PYDANTIC_DISABLE_PLUGINS": "__all__",
}


SEUIL_JEUNES = 20_000
"""Allocations entre deux collectes de la génération jeune (700 par défaut). Pour les
4 RPQS réels natifs : lectures, ~1 400 passages et 0,29 s CPU → 26 passages et 0,12 s ;
processus principal de `dsp traiter`, 2 collectes complètes de ~0,035 s évitées. Le pic
de mémoire d'un rapport de 1 000 pages est vérifié par `benchmarks/memoire.py`."""


def espacer_les_collectes() -> None:
    """Relève le seuil de la génération jeune ; les générations anciennes sont inchangées."""
    gc.set_threshold(SEUIL_JEUNES, *gc.get_threshold()[1:])


def regler_environnement() -> None:
    """Pose les valeurs par défaut absentes de l'environnement du processus."""
    for nom, valeur in DEFAUTS.items():
        os.environ.setdefault(nom, valeur)
