"""Contrôles des indicateurs SISPEA (arrêté du 2 mai 2007, fiches descriptives SISPEA).

- SISPEA_BORNES (alerte) : une valeur hors des bornes critiques du référentiel
  (`min_critic_ip` / `max_critic_ip`, copie versionnée du CSV SISPEA) ;
- SISPEA_TAUX (bloquant) : un taux en % hors de 0–100 ;
- SISPEA_PRIX (alerte) : le prix au m³ retenu ne correspond pas au total TTC de la
  facture de 120 m³ du même rapport divisé par 120 ;
- SISPEA_EXERCICE_PRECEDENT (alerte) : la colonne N-1 du rapport (« Valeur 2020 ») ne
  reprend pas la valeur N de la fiche validée de l'an passé.
"""

from __future__ import annotations

from controles.base import Contexte
from controles.commun import mention_pages
from controles.variations import exercice_de
from fiche.evaluation_sispea import egales
from fiche.modeles import Anomalie, Champ, Gravite
from fiche.regles.sispea.prix import candidats_prix
from fiche.regles.sispea.rangees import candidats_rangees
from fiche.regles.sispea.referentiel import referentiel

REGLE_REFERENTIEL = "Arrêté du 2 mai 2007 et référentiel SISPEA (bornes critiques de l'indicateur)"
REGLE_PRIX = "Arrêté du 2 mai 2007, D102.0 / D204.0 : prix TTC au m³ pour 120 m³ au 1er janvier N+1"
REGLE_N1 = "R.2224-5 CGCT et arrêté du 2 mai 2007 : indicateurs de l'exercice N-1 déjà déclarés"
TOLERANCE_PRIX = 0.01


def _nombre(valeur: float) -> str:
    return f"{valeur:.4f}".rstrip("0").rstrip(".").replace(".", ",")


def _ou(*champs: Champ[float]) -> str:
    pages = mention_pages(c.page for c in champs)
    return f" ({pages})" if pages else ""


def _anomalie(
    code: str, gravite: Gravite, message: str, indicateur: str, pages: list[int], regle: str
) -> Anomalie:
    return Anomalie(
        code=code,
        gravite=gravite,
        message=message,
        champs=[f"indicateurs_sispea.{indicateur}"],
        pages=sorted({p for p in pages if p}),
        regle=regle,
    )


def controle_sispea_bornes(ctx: Contexte) -> list[Anomalie]:
    """SISPEA_BORNES (alerte) et SISPEA_TAUX (bloquant) — référentiel SISPEA.

    Chaque indicateur lu est confronté aux bornes critiques du référentiel ; un taux en %
    hors de 0–100 est impossible (bloquant), une autre valeur hors bornes est suspecte.
    """
    trouvees = []
    definitions = referentiel()
    for code, champ in ctx.fiche.indicateurs_sispea.items():
        definition = definitions.get(code)
        if definition is None or champ.valeur is None:
            continue
        valeur, pages = champ.valeur, [champ.page] if champ.page else []
        if definition.unite == "%" and not 0 <= valeur <= 100:
            message = (
                f"{code} ({definition.libelle}) vaut {_nombre(valeur)} %{_ou(champ)} : un taux "
                "est compris entre 0 et 100 %. Vérifier la lecture ou l'unité sur la source."
            )
            trouvees.append(
                _anomalie("SISPEA_TAUX", Gravite.BLOQUANT, message, code, pages, REGLE_REFERENTIEL)
            )
        elif not definition.minimum <= valeur <= definition.maximum:
            message = (
                f"{code} ({definition.libelle}) vaut {_nombre(valeur)} {definition.unite}"
                f"{_ou(champ)}, hors des bornes SISPEA ({_nombre(definition.minimum)} à "
                f"{_nombre(definition.maximum)}). SISPEA refusera la saisie : vérifier la valeur."
            )
            trouvees.append(
                _anomalie("SISPEA_BORNES", Gravite.ALERTE, message, code, pages, REGLE_REFERENTIEL)
            )
    return trouvees


def controle_sispea_prix(ctx: Contexte) -> list[Anomalie]:
    """SISPEA_PRIX (alerte) — arrêté du 2 mai 2007 (D102.0, D204.0).

    Le prix au m³ retenu doit égaler, au centime près, le total TTC de la facture de 120 m³
    du même rapport (même colonne : 1er janvier N+1) divisé par 120.
    """
    n = exercice_de(ctx)
    if n is None:
        return []
    trouvees = []
    for calcul in candidats_prix(ctx.document, n):
        champ = ctx.fiche.indicateurs_sispea.get(calcul.code)
        if (
            calcul.source != "calcul"
            or calcul.nombre is None
            or champ is None
            or champ.valeur is None
        ):
            continue
        if abs(champ.valeur - calcul.nombre) <= TOLERANCE_PRIX:
            continue
        message = (
            f"Le prix au m³ {calcul.code} retenu, {_nombre(champ.valeur)} €/m³{_ou(champ)}, ne "
            f"correspond pas à la facture de 120 m³ (page {calcul.page} : {calcul.citation}). "
            "Vérifier la date du tarif (1er janvier N+1) et le périmètre (parts, redevances, TVA)."
        )
        trouvees.append(
            _anomalie(
                "SISPEA_PRIX",
                Gravite.ALERTE,
                message,
                calcul.code,
                [champ.page or 0, calcul.page],
                REGLE_PRIX,
            )
        )
    return trouvees


def controle_sispea_exercice_precedent(ctx: Contexte) -> list[Anomalie]:
    """SISPEA_EXERCICE_PRECEDENT (alerte) — valeurs N-1 déjà déclarées l'an passé.

    Les colonnes datées N-1 des rangées au code imprimé sont comparées aux indicateurs de
    la fiche validée la plus récente de l'exercice N-1 (historique du contrat).
    """
    n = exercice_de(ctx)
    precedente = next(
        (f for f in ctx.historique if f.identification.exercice.valeur == (n or 0) - 1), None
    )
    if n is None or precedente is None:
        return []
    trouvees = []
    for lu in candidats_rangees(ctx.document, n - 1):
        ancien = precedente.indicateurs_sispea.get(lu.code)
        if not lu.colonne_datee or lu.nombre is None or ancien is None or ancien.valeur is None:
            continue
        if egales(lu.nombre, ancien.valeur):
            continue
        message = (
            f"Le rapport donne pour {lu.code} en {n - 1} la valeur {_nombre(lu.nombre)} "
            f"(page {lu.page}), la fiche validée de {n - 1} retenait {_nombre(ancien.valeur)}. "
            "Demander si la valeur déclarée l'an passé a été corrigée."
        )
        trouvees.append(
            _anomalie(
                "SISPEA_EXERCICE_PRECEDENT", Gravite.ALERTE, message, lu.code, [lu.page], REGLE_N1
            )
        )
    return trouvees


CODES = frozenset({"SISPEA_BORNES", "SISPEA_TAUX", "SISPEA_PRIX", "SISPEA_EXERCICE_PRECEDENT"})
CONTROLES_SISPEA = [
    controle_sispea_bornes,
    controle_sispea_prix,
    controle_sispea_exercice_precedent,
]
