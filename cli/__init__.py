"""Interface en ligne de commande `dsp` (messages en français)."""

from socle.processus import espacer_les_collectes, regler_environnement

# Avant tout import de pydantic ou de numpy par les modules de la CLI (voir le module).
regler_environnement()
espacer_les_collectes()
