"""Dernier module préchargé par le serveur de processus de lecture : gèle le tas.

Chaque lecture est une copie (fork) du serveur, qui tient camelot, pandas, OpenCV et les
extracteurs déjà importés. Le ramasse-miettes de l'enfant parcourrait tous ces objets
hérités et écrirait dans leurs en-têtes : autant de pages mémoire recopiées (copie sur
écriture) à chaque fichier. `gc.freeze()` les range dans une génération permanente que
le ramasse-miettes ne visite plus (usage prévu par la documentation de `gc`).

N'est importé que par le serveur de processus (`flows.isolement.PRECHARGES`).
"""

import gc

gc.freeze()
