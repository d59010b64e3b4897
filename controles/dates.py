"""DATES : des dates du contrat incohérentes entre elles ou avec l'exercice couvert.

Une échéance antérieure à la prise d'effet, ou un exercice hors de la période du contrat,
signale une lecture fausse (dates, exercice) ou un rapport rattaché au mauvais contrat :
la fiche ne peut pas être présentée en l'état (L.3131-5 : le rapport porte sur
l'exécution du contrat pendant l'exercice).
"""

from __future__ import annotations

from datetime import date

from controles.base import Contexte
from controles.commun import date_longue, mention_pages
from fiche.modeles import Anomalie, Champ, Gravite

CODE = "DATES"
REGLE = "L.3131-5 (rapport sur l'exécution du contrat pendant l'exercice)"


def _page(champ: Champ[date] | Champ[int]) -> list[int]:
    return [champ.page] if champ.page is not None else []


def controle_dates(ctx: Contexte) -> list[Anomalie]:
    """DATES (bloquant) — L.3131-5 : le rapport couvre un exercice du contrat.

    - date_fin antérieure ou égale à date_debut ;
    - exercice N hors de la période du contrat. L'exercice est l'année de clôture : il
      peut couvrir une partie de l'année N-1 (exercice scolaire, clôture en juin), donc
      seul est certainement hors contrat un N antérieur à l'année de prise d'effet, ou
      postérieur à l'année d'échéance (de plus d'un an si l'échéance n'est pas un
      31 décembre : le dernier exercice décalé se clôt l'année suivante).
    Rien n'est dit d'une date absente (CHAMP_MANQUANT s'en charge).
    """
    ident = ctx.fiche.identification
    debut, fin, exercice = ident.date_debut, ident.date_fin, ident.exercice
    if debut.valeur is not None and fin.valeur is not None and fin.valeur <= debut.valeur:
        pages = sorted({*_page(debut), *_page(fin)})
        ou = f" ({mention_pages(pages)})" if pages else ""
        return [
            Anomalie(
                code=CODE,
                gravite=Gravite.BLOQUANT,
                message=(
                    f"L'échéance du contrat lue dans le rapport ({date_longue(fin.valeur)}) "
                    f"n'est pas postérieure à sa prise d'effet ({date_longue(debut.valeur)}){ou}. "
                    "Vérifier les deux dates dans le rapport ou le contrat (avenant de "
                    "prolongation ?) et les corriger sur la fiche."
                ),
                champs=["identification.date_debut", "identification.date_fin"],
                pages=pages,
                regle=REGLE,
            )
        ]
    n = exercice.valeur
    if n is None:
        return []
    sortie: list[Anomalie] = []
    if debut.valeur is not None and n < debut.valeur.year:
        sortie.append(
            Anomalie(
                code=CODE,
                gravite=Gravite.BLOQUANT,
                message=(
                    f"Le rapport porte sur l'exercice {n}, antérieur à la prise d'effet du "
                    f"contrat ({date_longue(debut.valeur)}). Vérifier l'exercice et la date "
                    "de prise d'effet : le rapport relève peut-être d'un autre contrat."
                ),
                champs=["identification.exercice", "identification.date_debut"],
                pages=sorted({*_page(exercice), *_page(debut)}),
                regle=REGLE,
            )
        )
    if fin.valeur is not None:
        dernier = fin.valeur.year + (0 if (fin.valeur.month, fin.valeur.day) == (12, 31) else 1)
        if n > dernier:
            sortie.append(
                Anomalie(
                    code=CODE,
                    gravite=Gravite.BLOQUANT,
                    message=(
                        f"Le rapport porte sur l'exercice {n}, postérieur à l'échéance du "
                        f"contrat ({date_longue(fin.valeur)}). Vérifier l'exercice et "
                        "l'échéance, et demander au délégataire l'avenant de prolongation "
                        "s'il existe."
                    ),
                    champs=["identification.exercice", "identification.date_fin"],
                    pages=sorted({*_page(exercice), *_page(fin)}),
                    regle=REGLE,
                )
            )
    return sortie
