"""Mode de gestion du service : régie, régie avec prestataire, délégation.

Une régie n'a ni délégataire ni type de contrat : elle a un mode de gestion. On le lit,
par ordre de confiance : une case cochée devant son libellé (« ☒ en régie » ; la coche
n'existe souvent que comme glyphe, y compris les glyphes Wingdings U+F0FE), une étiquette
(« Mode de gestion : régie »), puis une phrase qui parle de CE service (« Le service est
exploité en régie »). Les phrases conditionnelles ou générales (« obligatoire en cas de
délégation de service public », « volontaire pour les services en régie ») ne prouvent
rien et sont écartées. Un RAD est, par définition, le rapport d'un délégataire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extracteurs.modeles import Document
from fiche.modeles import Champ, ModeGestion
from fiche.regles.champs import champ_exact
from fiche.regles.paires import Paire
from fiche.regles.texte import Paragraphe, normaliser
from fiche.regles.type_document import TypeLu

COCHEES = "☒☑✓✔✗✘⊠▣\uf0fe\uf0fd\uf078\uf0fc\uf0fb"
VIDES = "☐□\uf06f\uf0a8\uf071\uf072"
_CASE = re.compile(rf"(?P<glyphe>[{COCHEES}{VIDES}])\s*(?P<libelle>[^\t{COCHEES}{VIDES}]*)")

_PRESTATION = re.compile(
    r"regie (?:avec|et) (?:une )?(?:prestations?|prestataires?|marches?)"
    r"|(?:contrat|marche) de prestations? de services?"
)
_REGIE = re.compile(r"\bregie\b(?! interessee)")
_DELEGATION = re.compile(
    r"delegation de service public|\baffermage\b|\bconcession\b|compagnie fermiere"
    r"|\bdelegataire\b|\bfermier\b|regie interessee|\bgerance\b"
)
# « Ce service est exploité / géré / assuré / délégué… » : la phrase parle du service.
_SUJET = re.compile(
    r"\b(?:le|ce|du|les) services?\b(?: public)?[^.;:]{0,80}?\b(?:est|sont) "
    r"(?:exploite|gere|assure|delegue|confie|organise|realise)e?s?\b"
    r"|\bmode de gestion\b"
)
_CONDITION = re.compile(
    r"\ben cas de\b|\ble cas echeant\b|\bs'il y a lieu\b|\beventuellement\b|\bsi le service\b"
    r"|\bpour les services\b|\bselon (?:le|les) cas\b|\bou\b.{0,30}\bou\b"
)


@dataclass(frozen=True)
class Case:
    cochee: bool
    libelle: str


def cases(texte: str) -> list[Case]:
    """Les cases d'une ligne, cochées ou non, avec le libellé qui suit le glyphe."""
    return [
        Case(m.group("glyphe") in COCHEES, m.group("libelle").strip())
        for m in _CASE.finditer(texte)
    ]


def classer_mode(texte: str) -> ModeGestion | None:
    norme = normaliser(texte)
    if _PRESTATION.search(norme):
        return ModeGestion.REGIE_PRESTATION
    if _DELEGATION.search(norme):
        return ModeGestion.DELEGATION
    if _REGIE.search(norme):
        return ModeGestion.REGIE
    return None


def _depuis_cases(document: Document) -> Champ[ModeGestion] | None:
    for ligne in document.lignes():
        for case in cases(ligne.texte):
            mode = classer_mode(case.libelle) if case.cochee else None
            if mode is not None:
                return champ_exact(mode, ligne.page, " ".join(ligne.texte.split()))
    return None


def _depuis_phrases(paragraphes: list[Paragraphe]) -> Champ[ModeGestion] | None:
    for para in paragraphes:
        norme = normaliser(para.texte)
        for m in _SUJET.finditer(norme):
            suite = norme[m.start() : m.end() + 60]
            mode = classer_mode(suite)
            if mode is not None and not _CONDITION.search(suite):
                return champ_exact(mode, para.page, " ".join(para.texte.split()))
    return None


def mode_gestion(
    document: Document,
    paires: list[Paire],
    paragraphes: list[Paragraphe],
    type_lu: TypeLu | None,
) -> Champ[ModeGestion]:
    """Le mode de gestion et la ligne qui le dit ; vide si le document ne le dit pas.
    Un RAD est le rapport d'un délégataire : la ligne qui le prouve dit la délégation."""
    if type_lu is not None and type_lu.valeur == "rad" and type_lu.page and type_lu.citation:
        return champ_exact(ModeGestion.DELEGATION, type_lu.page, type_lu.citation)
    trouve = _depuis_cases(document)
    if trouve is not None:
        return trouve
    for paire in paires:
        mode = classer_mode(paire.valeur) if paire.cle == "type_contrat" else None
        if mode is not None:
            return champ_exact(mode, paire.page, paire.valeur)
    return _depuis_phrases(paragraphes) or Champ[ModeGestion]()


def est_conditionnel(texte: str) -> bool:
    """Vrai pour une phrase qui ne parle pas de ce service (« en cas de délégation »)."""
    return bool(_CONDITION.search(normaliser(texte)))
