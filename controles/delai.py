"""DELAI : le rapport est parvenu à l'autorité après le 1er juin N+1 (L.3131-5).

Le délégataire produit chaque année, avant le 1er juin, un rapport sur l'exercice
précédent (L.3131-5 du code de la commande publique). La date de réception n'est connue
que si le document la porte : tampon « Reçu le 14 juin 2024 », « Date de réception :
14/06/2024 », « transmis à la collectivité le ... ». Sans elle, rien n'est signalé.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from controles.base import Contexte
from controles.commun import citer, date_longue
from controles.type_document import est_rapport_du_delegataire
from controles.variations import exercice_de
from fiche.modeles import Anomalie, Gravite
from fiche.regles.dates import DATE, dates_dans

CODE = "DELAI"
REGLE = "L.3131-5 (remise avant le 1er juin)"

_VERBE = (
    r"(?:re[çc]u|r[ée]ceptionn[ée]|transmis|remis|parvenu|d[ée]pos[ée]|arriv[ée]|adress[ée]"
    r"|envoy[ée]|enregistr[ée])e?s?"
)
_ETIQUETTE = (
    r"date\s+(?:de\s+|d['’]\s*)(?:r[ée]ception|transmission|d[ée]p[oô]t|remise|envoi|arriv[ée]e)"
)
# « Reçu le 14 juin 2024 », « reçu en mairie le ... », « transmis à la collectivité le ... »,
# « Date de réception : 14/06/2024 », « Date de dépôt du rapport : le ... ».
_MENTION = re.compile(
    rf"(?:\b{_VERBE}\b[^.;\d]{{0,50}}?\ble\s+|\b{_ETIQUETTE}\b[^.;\d]{{0,30}}?)(?={DATE})",
    re.IGNORECASE,
)
_RAPPORT = re.compile(r"\b(?:rapport|RAD)\b", re.IGNORECASE)
LONGUEUR_TAMPON = 60
"""Une mention courte (tampon, cartouche) vaut pour le rapport lui-même ; une phrase
plus longue doit dire qu'elle parle du rapport."""


@dataclass(frozen=True)
class Reception:
    jour: date
    page: int
    citation: str


def date_reception(ctx: Contexte, exercice: int) -> Reception | None:
    """La première date de réception plausible (postérieure à l'exercice) du document."""
    for ligne in ctx.document.lignes():
        texte = ligne.texte.strip()
        for mention in _MENTION.finditer(texte):
            etiquette = re.match(_ETIQUETTE, mention.group(0), re.IGNORECASE) is not None
            if not (etiquette or len(texte) <= LONGUEUR_TAMPON or _RAPPORT.search(texte)):
                continue
            lues = dates_dans(texte[mention.end() :])
            if not lues or lues[0].debut != 0:
                continue
            jour = lues[0].valeur
            if jour.year <= exercice or jour.year > exercice + 3:
                continue  # une date de l'exercice lui-même n'est pas celle du dépôt
            return Reception(jour, ligne.page, texte)
    return None


def controle_delai(ctx: Contexte) -> list[Anomalie]:
    """DELAI (info) — L.3131-5 : rapport remis avant le 1er juin N+1.

    La date de réception est cherchée dans les lignes du document ; elle est en retard si
    elle dépasse le 1er du mois `mois_limite_depot` (juin) de N+1 (remise le 1er juin
    comprise dans le délai).
    """
    n = exercice_de(ctx)
    if n is None or not est_rapport_du_delegataire(ctx.fiche):
        return []
    reception = date_reception(ctx, n)
    if reception is None:
        return []
    limite = date(n + 1, ctx.seuils.mois_limite_depot, 1)
    if reception.jour <= limite:
        return []
    retard = (reception.jour - limite).days
    message = (
        f"Le rapport sur l'exercice {n} a été reçu le {date_longue(reception.jour)} "
        f"(page {reception.page} : {citer(reception.citation)}), après la date limite du "
        f"{date_longue(limite)} ({retard} jour{'s' if retard > 1 else ''} de retard). Le "
        "signaler et rappeler l'échéance au délégataire ; vérifier que le délai laisse le "
        "temps de saisir la CCSPL avant la séance de l'assemblée."
    )
    return [
        Anomalie(
            code=CODE,
            gravite=Gravite.INFO,
            message=message,
            champs=[],
            pages=[reception.page],
            regle=REGLE,
        )
    ]
