"""VARIATION : un poste qui bouge fortement d'un exercice à l'autre (R.3131-2).

Le rapport doit permettre la comparaison de l'exercice avec le précédent (R.3131-2) ; une
évolution forte n'est pas une erreur, mais l'agent doit en trouver l'explication avant la
présentation à l'assemblée et à la CCSPL. Les montants des messages sont écrits à la
française (« 1 284 560 € », « +7,2 % »).
"""

from __future__ import annotations

from controles.base import Contexte
from controles.commun import INSECABLE, euros, mention_pages, nombre_fr, pourcentage
from fiche.modeles import Anomalie, Champ, Gravite

CODE = "VARIATION"
REGLE = "R.3131-2 (comparaison avec l'exercice précédent)"

POSTES_VARIATION = (
    "chiffre_affaires",
    "total_charges",
    "redevance",
    "charges_personnel",
    "frais_siege",
)
"""Postes suivis d'une année sur l'autre (le résultat, signé et souvent proche de zéro,
varie en pourcentage sans que cela dise grand-chose)."""

LIBELLES_POSTES = {
    "chiffre_affaires": "le chiffre d'affaires",
    "total_charges": "le total des charges",
    "resultat": "le résultat",
    "redevance": "la redevance versée à la collectivité",
    "charges_personnel": "les charges de personnel",
    "frais_siege": "les frais de siège",
    "investissements": "les investissements de l'exercice",
    "reversements": "les reversements",
    "resultat_net": "le résultat net",
}


def taux_seuil(seuil: float) -> str:
    """0.15 → « 15 % », 0.075 → « 7,5 % » (un seuil réglé, sans décimale inutile)."""
    return f"{nombre_fr(seuil * 100, 2)}{INSECABLE}%"


def pages_de(*champs: Champ[float] | None) -> list[int]:
    return sorted({c.page for c in champs if c is not None and c.page is not None})


def exercice_de(ctx: Contexte) -> int | None:
    """L'exercice de la fiche, à défaut celui que l'extraction a jugé probable."""
    return ctx.fiche.identification.exercice.valeur or ctx.document.exercice_probable


def controle_variation(ctx: Contexte) -> list[Anomalie]:
    """VARIATION (info ; alerte au-delà du seuil haut) — R.3131-2, comparaison avec N-1.

    Pour chaque poste suivi présent en N et en N-1 : taux = (N − N-1) / |N-1|. Au-delà de
    `variation_info` (15 %) : info ; au-delà de `variation_alerte` (30 %) : alerte. Un
    N-1 nul ou absent ne permet pas de calculer un taux : rien n'est signalé (l'absence
    relève de CHAMP_MANQUANT). Un N-1 négatif est pris en valeur absolue.
    """
    n = exercice_de(ctx)
    if n is None:
        return []
    seuils = ctx.seuils
    sortie: list[Anomalie] = []
    for poste in POSTES_VARIATION:
        valeurs = ctx.fiche.financier.postes.get(poste, {})
        actuel, ancien = valeurs.get(str(n)), valeurs.get(str(n - 1))
        if actuel is None or ancien is None or actuel.valeur is None or not ancien.valeur:
            continue
        taux = (actuel.valeur - ancien.valeur) / abs(ancien.valeur)
        if abs(taux) <= seuils.variation_info:
            continue
        alerte = abs(taux) > seuils.variation_alerte
        seuil = seuils.variation_alerte if alerte else seuils.variation_info
        sens = "hausse" if taux > 0 else "baisse"
        pages = pages_de(actuel, ancien)
        ou = f" ({mention_pages(pages)})" if pages else ""
        ampleur = pourcentage(taux * 100, signe=False)
        message = (
            f"{LIBELLES_POSTES[poste].capitalize()} passe de {euros(ancien.valeur)} en {n - 1} "
            f"à {euros(actuel.valeur)} en {n}{ou}, soit une {sens} de {ampleur} "
            f"({pourcentage(taux * 100)}), au-delà du seuil de {taux_seuil(seuil)}. Chercher "
            "l'explication dans le rapport ou la demander au délégataire avant la présentation "
            "à la CCSPL."
        )
        sortie.append(
            Anomalie(
                code=CODE,
                gravite=Gravite.ALERTE if alerte else Gravite.INFO,
                message=message,
                champs=[f"financier.postes.{poste}.{n}", f"financier.postes.{poste}.{n - 1}"],
                pages=pages,
                regle=REGLE,
            )
        )
    return sortie
