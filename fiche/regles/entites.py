"""Noms propres de l'identification : autorité délégante et délégataire.

Autorité : un préfixe institutionnel (« Ville de », « Communauté d'agglomération »,
« Syndicat », « Métropole »...) suivi de mots à majuscule et de particules (« de », « du »,
« sur »...), quelques mots en minuscules étant admis avant le premier nom propre
(« Syndicat intercommunal des eaux du Val de Loue »).
Délégataire : la raison sociale qui suit « a confié à », « présenté par », « Délégataire : »,
ou qui porte une forme sociale (SAS, SA, SARL, SEM, SPL, SCIC...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fiche.regles.libelles import FORMES_SOCIALES, PREFIXE_COLLECTIVITE
from fiche.regles.texte import nettoyer_valeur, sans_article

# Casse libre (« Communauté d'Agglomération ») mais initiale en capitale, vérifiée à part :
# « la commune de X est alimentée... » décrit une commune desservie, pas l'autorité.
_PREFIXE = re.compile(rf"\b{PREFIXE_COLLECTIVITE}", re.IGNORECASE)
_PARTICULES = {"de", "du", "des", "d'", "d’", "la", "le", "les", "l'", "l’", "sur", "sous", "en"}
_PARTICULES |= {"lès", "lez", "et"}
_MOT = re.compile(r"\S+")
_MAJUSCULE = re.compile(r"^(?:[dl]['’])?[A-ZÀÂÄÉÈÊËÎÏÔÖÙÛÜÇŒ0-9]")


@dataclass(frozen=True)
class Nom:
    texte: str
    debut: int
    fin: int


def _mot_de_nom(mot: str, nom_vu: bool, minuscules: int) -> tuple[bool, bool]:
    """(le mot appartient au nom, il clôt le nom par sa ponctuation finale)."""
    nu = mot.rstrip(",.;:)»")
    coupe = nu != mot
    if not nu:
        return False, True
    if _MAJUSCULE.match(nu):
        return True, coupe
    if nu.lower() in _PARTICULES or re.match(r"^[dl]['’]$", nu.lower()):
        return not coupe, coupe
    if not nom_vu and minuscules < 4 and nu.isalpha():
        return not coupe, coupe
    return False, True


def collectivites(texte: str) -> list[Nom]:
    """Toutes les autorités nommées dans un texte (« la Ville de X a confié » → « Ville de X »)."""
    noms: list[Nom] = []
    for m in _PREFIXE.finditer(texte):
        if not m.group(0)[0].isupper():
            continue
        fin, nom_vu, minuscules = m.end(), False, 0
        for mot in _MOT.finditer(texte, m.end()):
            dedans, coupe = _mot_de_nom(mot.group(0), nom_vu, minuscules)
            if not dedans:
                break
            nu = mot.group(0).rstrip(",.;:)»")
            nom_vu = nom_vu or bool(_MAJUSCULE.match(nu))
            minuscules += not _MAJUSCULE.match(nu)
            fin = mot.start() + len(nu)
            if coupe:
                break
        nom = _sans_particules_finales(texte[m.start() : fin])
        if nom_vu and len(nom.split()) >= 2:
            noms.append(Nom(nom, m.start(), m.start() + len(nom)))
    return noms


def _sans_particules_finales(nom: str) -> str:
    mots = nom.split()
    while mots and (mots[-1].lower() in _PARTICULES or not _MAJUSCULE.match(mots[-1])):
        mots.pop()
    return " ".join(mots)


_CONFIE = re.compile(
    r"(?:a|ont|avait) confi[ée] (?:[àa] )?(?P<nom>.+?)"
    r"(?:\s+(?=(?:la|le|les|l['’])\s*[a-zàâéèêîôûç]|pour\s|depuis\s|en\s|par\s)|(?=[,.;(]))",
)
_PRESENTE = re.compile(
    r"(?:pr[ée]sent[ée]|[ée]tabli|r[ée]dig[ée]|transmis)e? par\s+(?P<nom>[^\n.;,(]{3,80})",
    re.IGNORECASE,
)
_CI_APRES = re.compile(
    r"(?P<nom>[A-ZÀ-Ý][^,()\n]{2,80}?)\s*(?:,\s*|\()\s*(?:ci-apr[èe]s|d[ée]nomm[ée]e?)[^)]{0,20}"
    r"d[ée]l[ée]gataire",
)
_FORME = re.compile(
    rf"\b(?:{FORMES_SOCIALES})\s+(?:[A-ZÀ-Ý][\w&'’-]*\s?){{1,5}}"
    rf"|(?:[A-ZÀ-Ý][\w&'’-]*\s+(?:(?:de|du|des|d'|et|&)\s+)?){{1,6}}(?:{FORMES_SOCIALES})\b"
)


def nom_confie(texte: str) -> Nom | None:
    """Le délégataire dans « X a confié à Y la gestion du service ... »."""
    m = _CONFIE.search(texte)
    if m is None:
        return None
    brut = sans_article(m.group("nom").strip())
    debut = m.start("nom") + m.group("nom").index(brut)
    return Nom(brut, debut, debut + len(brut))


def nom_presente(texte: str) -> Nom | None:
    """« Présenté par la société X » → « société X »."""
    m = _PRESENTE.search(texte) or _CI_APRES.search(texte)
    if m is None:
        return None
    brut = nettoyer_valeur(sans_article(m.group("nom").strip()))
    if not brut or not _MAJUSCULE.match(brut):
        return None
    debut = m.start("nom") + m.group("nom").find(brut)
    return Nom(brut, debut, debut + len(brut))


def nom_a_forme_sociale(texte: str) -> Nom | None:
    m = _FORME.search(texte)
    if m is None:
        return None
    brut = m.group(0).strip()
    return Nom(brut, m.start(), m.start() + len(brut))


def autorite_avant_confie(texte: str) -> Nom | None:
    """L'autorité sujet de « a confié » (la dernière nommée avant le verbe)."""
    verbe = re.search(r"\s(?:a|ont|avait) confi[ée]", texte)
    if verbe is None:
        return None
    avant = [n for n in collectivites(texte) if n.fin <= verbe.start() + 1]
    return avant[-1] if avant else None
