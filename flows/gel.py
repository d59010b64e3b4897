"""Dernier module préchargé par le serveur de processus de lecture : prépare le tas dont
chaque lecture hérite.

Chaque lecture est une copie (fork) du serveur, qui tient camelot, pandas, OpenCV et les
extracteurs déjà importés.

1. **Gel.** Le ramasse-miettes de l'enfant parcourrait tous ces objets hérités et écrirait
   dans leurs en-têtes : autant de pages mémoire recopiées (copie sur écriture) à chaque
   fichier. `gc.freeze()` les range dans une génération permanente que le ramasse-miettes
   ne visite plus (usage prévu par la documentation de `gc`).
2. **Grands tampons gardés.** camelot lattice et l'OCR rendent une page à 300 ppp (26 Mo
   en BGR pour un A4), puis la seuillent et la filtrent avec OpenCV : ~100 Mo de tampons
   par page. glibc sert chacun par `mmap` et le rend au système dès sa libération ; le
   suivant est de nouveau touché page de 4 Ko par page de 4 Ko (~25 000 défauts de page
   par page rendue, temps système). Relever le seuil de `mmap` (64 Mo, un A3 à 300 ppp
   en BGR) et celui de restitution du haut du tas (128 Mo) garde ces tampons au
   processus de lecture pour les suivants : défauts de page des 4 RPQS réels natifs
   194 000 → 124 000. Le pic de mémoire ne change pas (les tampons sont réutilisés, pas
   ajoutés) et une lecture est un processus court, rendu entier au système à sa fin.
3. **Collectes de la génération jeune espacées.** Une lecture crée des millions de petits
   objets (caractères, dictionnaires de pdfplumber), presque aucun dans un cycle ; au
   seuil par défaut (700 allocations), le ramasse-miettes passe ~1 400 fois pour les 4
   RPQS réels natifs et y prend 0,29 s CPU. Au seuil de 20 000 : 26 passages, 0,12 s.
   Les cycles restent collectés (générations plus anciennes inchangées) ; le pic de
   mémoire d'un rapport de 1 000 pages est vérifié par `benchmarks/memoire.py`.

N'est importé que par le serveur de processus (`flows.isolement.PRECHARGES`).
"""

import ctypes
import gc

SEUIL_JEUNES = 20_000
SEUIL_MMAP = 64 * 1024 * 1024
SEUIL_RESTITUTION = 128 * 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # constantes de <malloc.h> (glibc)


def garder_les_grands_tampons() -> None:
    """Règle glibc (`mallopt`) ; rien à faire là où l'allocateur n'est pas glibc."""
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, SEUIL_MMAP)
        mallopt(_M_TRIM_THRESHOLD, SEUIL_RESTITUTION)


garder_les_grands_tampons()
gc.set_threshold(SEUIL_JEUNES, *gc.get_threshold()[1:])
gc.freeze()
