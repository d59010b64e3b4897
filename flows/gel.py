"""Dernier module préchargé par le serveur de processus de lecture : prépare le tas dont
chaque lecteur hérite.

Chaque lecteur (`flows.isolement`) est une copie (fork) du serveur, qui tient camelot,
pandas, OpenCV et les extracteurs déjà importés.

1. **Gel.** Le ramasse-miettes de l'enfant parcourrait tous ces objets hérités et écrirait
   dans leurs en-têtes : autant de pages mémoire recopiées (copie sur écriture) dans
   chaque lecteur. `gc.freeze()` les range dans une génération permanente que le
   ramasse-miettes ne visite plus (usage prévu par la documentation de `gc`).
2. **Grands tampons gardés.** camelot lattice et l'OCR rendent une page à 300 ppp (26 Mo
   en BGR pour un A4), puis la seuillent et la filtrent avec OpenCV : ~100 Mo de tampons
   par page. glibc sert chacun par `mmap` et le rend au système dès sa libération ; le
   suivant est de nouveau touché page de 4 Ko par page de 4 Ko (~25 000 défauts de page
   par page rendue, temps système). Relever le seuil de `mmap` (64 Mo, un A3 à 300 ppp
   en BGR) et celui de restitution du haut du tas (128 Mo) garde ces tampons au
   processus de lecture pour les suivants : défauts de page des 4 RPQS réels natifs
   194 000 → 124 000. Le pic de mémoire ne change pas (les tampons sont réutilisés, pas
   ajoutés) ; un lecteur vit le temps d'une commande (30 s de repos au plus) et sa
   mémoire est rendue entière au système à sa fin.
3. **Collectes de la génération jeune espacées** (`socle.processus.espacer_les_collectes`) :
   une lecture crée des millions de petits objets (caractères, dictionnaires de
   pdfplumber), presque aucun dans un cycle.

N'est importé que par le serveur de processus (`flows.isolement.PRECHARGES`).
"""

import ctypes
import gc

from socle.processus import espacer_les_collectes

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
espacer_les_collectes()
gc.freeze()
