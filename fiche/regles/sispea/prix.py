"""Prix du service au m³ (D102.0 eau potable, D204.0 assainissement collectif) lu dans la
facture type de 120 m³ quand le rapport ne l'imprime pas sous son code.

- « Prix TTC au m³ » de la facture : valeur lue telle quelle ;
- à défaut, « Total TTC » de la facture de 120 m³ divisé par 120 : valeur `calcule`, la
  citation reproduit le total et le calcul.
La colonne retenue est celle du 1er janvier N+1 (« Au 01/01/2022 ») sinon de l'exercice.
Un seul service doit être en jeu : une facture « eau potable et assainissement » ou un
rapport qui traite des deux services ne donne aucun prix (on ne sait pas lequel).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from extracteurs.modeles import Document, Page
from fiche.regles.sispea.geometrie import segments
from fiche.regles.sispea.rangees import choisir, entete_annees, valeurs_finales
from fiche.regles.sispea.referentiel import (
    PRIX_PAR_COMPETENCE,
    DefinitionIndicateur,
    referentiel,
)
from fiche.regles.sispea.valeurs import Candidat
from fiche.regles.texte import normaliser

VOLUME_REFERENCE = 120.0
CONTEXTE_LIGNES = 14

_PRIX_M3 = re.compile(r"^prix (?:ttc )?(?:du service )?(?:au|par) m ?3?(?: ttc)?$")
_TOTAL_TTC = re.compile(r"^(?:total|montant total|montant)(?: de la facture)?(?: en)? (?:€ )?ttc$")
_FACTURE_120 = re.compile(r"\b120 ?m ?3?\b")
_EAU = re.compile(r"\beau potable\b|\bdistribution d eau\b|\bproduction d eau\b")
_ASSAINISSEMENT = re.compile(r"\bassainissement\b|\beaux usees\b")


def competence_du_document(document: Document) -> str | None:
    """« eau potable » ou « assainissement collectif » d'après le titre (premières pages)."""
    texte = normaliser(" ".join(p.texte for p in document.pages[:2]))
    eau, assainissement = bool(_EAU.search(texte)), bool(_ASSAINISSEMENT.search(texte))
    if eau == assainissement:
        return None
    return "eau potable" if eau else "assainissement collectif"


def _contexte_mono_service(page: Page, rang: int) -> bool:
    """La facture de 120 m³ au-dessus de la ligne ne mêle pas eau potable et assainissement."""
    dessus = normaliser(
        " ".join(x.texte for x in page.lignes[max(0, rang - CONTEXTE_LIGNES) : rang])
    )
    melange = bool(_EAU.search(dessus)) and bool(_ASSAINISSEMENT.search(dessus))
    return bool(_FACTURE_120.search(dessus)) and not melange


def candidats_prix(document: Document, exercice: int) -> list[Candidat]:
    competence = competence_du_document(document)
    code = PRIX_PAR_COMPETENCE.get(competence or "")
    if code is None:
        return []
    definition = referentiel()[code]
    trouves: list[Candidat] = []
    for page in document.pages:
        for rang, ligne in enumerate(page.lignes):
            segs = segments(ligne)
            libelle = normaliser(segs[0].texte) if segs else ""
            direct, total = bool(_PRIX_M3.match(libelle)), bool(_TOTAL_TTC.match(libelle))
            if not (direct or total) or not _contexte_mono_service(page, rang):
                continue
            cellules = valeurs_finales(ligne, segs, 0, definition if direct else _MONTANT)
            entete = entete_annees(page, ligne, cellules, exercice) if cellules else []
            choisie = choisir(cellules, entete, exercice, definition) if cellules else None
            if choisie is None or choisie.lue.nombre is None:
                continue
            citation = " ".join(s.texte for s in segs)
            if direct:
                trouves.append(Candidat(code, choisie.lue.nombre, page.numero, citation, "tableau"))
                continue
            prix = _prix_au_m3(choisie.lue.nombre, definition.decimales)
            calcul = f"{citation} ; {choisie.lue.texte} / 120 m³ = {_fr(prix)} €/m³"
            trouves.append(Candidat(code, prix, page.numero, calcul, "calcul"))
    return trouves


def _prix_au_m3(total: float, decimales: int) -> float:
    """Total de 120 m³ divisé par 120, arrondi commercial (244,20 € → 2,035 → 2,04 €/m³)
    calculé en décimal : en flottant, 2,035 devient 2,0349999 et s'arrondit à tort à 2,03."""
    pas = Decimal(1).scaleb(-decimales)
    prix = Decimal(repr(total)) / Decimal(int(VOLUME_REFERENCE))
    return float(prix.quantize(pas, rounding=ROUND_HALF_UP))


def _fr(nombre: float) -> str:
    return f"{nombre:.2f}".replace(".", ",")


_MONTANT = DefinitionIndicateur(
    code="montant",
    competence="",
    unite="€",
    decimales=2,
    minimum=0.0,
    maximum=1e9,
    libelle="Montant TTC de la facture de 120 m³",
)
"""Lecture d'un montant en euros : la facture entière de 120 m³."""
