"""Règles des anomalies « conséquentes » de l'or, écrites une seule fois ici.

Elles lisent une `Fiche` déjà remplie (postes, identification, conformité) et rendent les
anomalies que le catalogue (`shared/specs/controles.md`) doit lever, pour que les
contrôles du produit puissent être comparés à l'or sur les mêmes définitions :

- VARIATION : pour chiffre_affaires, total_charges, redevance, charges_personnel et
  frais_siege, |N − (N−1)| / |N−1| > 15 % → info, > 30 % → alerte (N = exercice).
- FRAIS_SIEGE : frais_siege / total_charges de l'exercice N > 8 % → alerte.
- COMPLETUDE : un élément obligatoire (R.3131-3/-4) absent → une alerte par élément.
- CHAMP_MANQUANT : champ d'identification vide, ou poste principal sans valeur pour N
  → info (un par champ).

Les anomalies plantées (SOMME_POSTES, RESULTAT, TEXTE_TABLEAU, UNITE, DELAI...) sont
décrites par chaque échantillon, car leur message dépend de ce qui a été imprimé.
"""

from __future__ import annotations

from controles.commun import euros  # les messages attendus sont ceux des contrôles
from controles.completude import ELEMENTS  # les libellés et articles du contrôle
from controles.variations import LIBELLES_POSTES
from fiche.evaluation import CHAMPS_IDENTIFICATION
from fiche.modeles import ELEMENTS_CONFORMITE, POSTES_PRINCIPAUX, Anomalie, Champ, Fiche, Gravite

SEUIL_VARIATION_INFO = 0.15
SEUIL_VARIATION_ALERTE = 0.30
SEUIL_FRAIS_SIEGE = 0.08

POSTES_VARIATION = (
    "chiffre_affaires",
    "total_charges",
    "redevance",
    "charges_personnel",
    "frais_siege",
)


def _pages(*champs: Champ[float]) -> list[int]:
    return sorted({c.page for c in champs if c.page is not None})


def variations(fiche: Fiche, n: int) -> list[Anomalie]:
    sortie: list[Anomalie] = []
    for poste in POSTES_VARIATION:
        valeurs = fiche.financier.postes.get(poste, {})
        actuel, ancien = valeurs.get(str(n)), valeurs.get(str(n - 1))
        if not actuel or not ancien or actuel.valeur is None or not ancien.valeur:
            continue
        taux = (actuel.valeur - ancien.valeur) / abs(ancien.valeur)
        if abs(taux) <= SEUIL_VARIATION_INFO:
            continue
        gravite = Gravite.ALERTE if abs(taux) > SEUIL_VARIATION_ALERTE else Gravite.INFO
        sens = "hausse" if taux > 0 else "baisse"
        pct = f"{abs(taux) * 100:.1f}".replace(".", ",")
        message = (
            f"{LIBELLES_POSTES[poste].capitalize()} passe de {euros(ancien.valeur)} en {n - 1} "
            f"à {euros(actuel.valeur)} en {n} ({sens} de {pct} %). Demander au délégataire "
            "l'explication de cette évolution avant la présentation à la CCSPL."
        )
        sortie.append(
            Anomalie(
                code="VARIATION",
                gravite=gravite,
                message=message,
                champs=[f"financier.postes.{poste}.{n}", f"financier.postes.{poste}.{n - 1}"],
                pages=_pages(actuel, ancien),
                regle="R.3131-2 (comparaison avec l'exercice précédent)",
            )
        )
    return sortie


def frais_siege(fiche: Fiche, n: int) -> list[Anomalie]:
    siege = fiche.financier.postes.get("frais_siege", {}).get(str(n))
    charges = fiche.financier.postes.get("total_charges", {}).get(str(n))
    if not siege or not charges or siege.valeur is None or not charges.valeur:
        return []
    ratio = siege.valeur / charges.valeur
    if ratio <= SEUIL_FRAIS_SIEGE:
        return []
    pct = f"{ratio * 100:.1f}".replace(".", ",")
    message = (
        f"Les frais de siège ({euros(siege.valeur)}) représentent {pct} % du total des charges "
        f"({euros(charges.valeur)}) en {n}, au-delà du seuil de 8 %. Demander la clé de "
        "répartition des charges de structure et sa justification."
    )
    return [
        Anomalie(
            code="FRAIS_SIEGE",
            gravite=Gravite.ALERTE,
            message=message,
            champs=[f"financier.postes.frais_siege.{n}", f"financier.postes.total_charges.{n}"],
            pages=_pages(siege, charges),
            regle="R.3131-3 1° a) (charges de structure)",
        )
    ]


def completude(fiche: Fiche) -> list[Anomalie]:
    sortie: list[Anomalie] = []
    for element in ELEMENTS_CONFORMITE:
        etat = fiche.conformite.get(element)
        if etat is not None and etat.present:
            continue
        libelle, regle = ELEMENTS[element]
        sortie.append(
            Anomalie(
                code="COMPLETUDE",
                gravite=Gravite.ALERTE,
                message=(
                    f"Le rapport ne comporte pas {libelle}. Cet élément est obligatoire : "
                    "le demander au délégataire."
                ),
                champs=[f"conformite.{element}"],
                pages=[],
                regle=f"{regle} du code de la commande publique",
            )
        )
    return sortie


def champs_manquants(fiche: Fiche, n: int) -> list[Anomalie]:
    sortie: list[Anomalie] = []
    for nom in CHAMPS_IDENTIFICATION:  # ceux que le contrôle CHAMP_MANQUANT réclame
        if getattr(fiche.identification, nom).valeur is None:
            sortie.append(_manquant(f"identification.{nom}", f"Le champ « {nom} »"))
    for poste in POSTES_PRINCIPAUX:
        valeur = fiche.financier.postes.get(poste, {}).get(str(n))
        if valeur is None or valeur.valeur is None:
            libelle = LIBELLES_POSTES[poste]
            sortie.append(_manquant(f"financier.postes.{poste}.{n}", f"Le poste « {libelle} »"))
    return sortie


def _manquant(champ: str, quoi: str) -> Anomalie:
    return Anomalie(
        code="CHAMP_MANQUANT",
        gravite=Gravite.INFO,
        message=f"{quoi} ne figure pas dans le rapport : la fiche le laisse vide.",
        champs=[champ],
        pages=[],
        regle="fiche.md (champs d'identification et postes principaux)",
    )


def anomalies_derivees(fiche: Fiche) -> list[Anomalie]:
    """Toutes les anomalies conséquentes, dans un ordre stable."""
    n = fiche.identification.exercice.valeur
    if n is None:
        raise ValueError("exercice inconnu")
    return [
        *variations(fiche, n),
        *frais_siege(fiche, n),
        *completude(fiche),
        *champs_manquants(fiche, n),
    ]
