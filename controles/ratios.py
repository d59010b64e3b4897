"""FRAIS_SIEGE : des frais de siège lourds au regard des charges (R.3131-3 1° a)).

Le CARE doit présenter les méthodes de répartition des charges indirectes, « notamment
les charges de structure » (R.3131-3 1° a)). Des frais de siège au-delà d'une part des
charges (8 % par défaut, réglable par secteur) appellent la clé de répartition.
"""

from __future__ import annotations

from controles.base import Contexte
from controles.commun import euros, mention_pages, pourcentage
from controles.variations import exercice_de, pages_de, taux_seuil
from fiche.modeles import Anomalie, Gravite

CODE = "FRAIS_SIEGE"
REGLE = "R.3131-3 1° a) (charges de structure)"


def controle_frais_siege(ctx: Contexte) -> list[Anomalie]:
    """FRAIS_SIEGE (alerte) — R.3131-3 1° a), répartition des charges de structure.

    Exercice N : frais_siege / total_charges > `frais_siege_ratio` → une alerte. Rien si
    l'un des deux manque ou si le total des charges est nul ou négatif.
    """
    n = exercice_de(ctx)
    if n is None:
        return []
    postes = ctx.fiche.financier.postes
    siege = postes.get("frais_siege", {}).get(str(n))
    charges = postes.get("total_charges", {}).get(str(n))
    if siege is None or charges is None or siege.valeur is None or charges.valeur is None:
        return []
    if charges.valeur <= 0:
        return []
    ratio = abs(siege.valeur) / charges.valeur
    seuil = ctx.seuils.frais_siege_ratio
    if ratio <= seuil:
        return []
    pages = pages_de(siege, charges)
    ou = f" ({mention_pages(pages)})" if pages else ""
    part = pourcentage(ratio * 100, signe=False)
    message = (
        f"Les frais de siège ({euros(siege.valeur)}) représentent {part} du total des "
        f"charges ({euros(charges.valeur)}) en {n}{ou}, au-delà du seuil de "
        f"{taux_seuil(seuil)}. Demander au délégataire la clé de répartition des charges de "
        "structure et sa justification (R.3131-3 1° a))."
    )
    return [
        Anomalie(
            code=CODE,
            gravite=Gravite.ALERTE,
            message=message,
            champs=[f"financier.postes.frais_siege.{n}", f"financier.postes.total_charges.{n}"],
            pages=pages,
            regle=REGLE,
        )
    ]
