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

from fiche.regles.libelles import FORMES_SOCIALES, PREFIXE_AUTORITE_FORTE, PREFIXE_COLLECTIVITE
from fiche.regles.texte import nettoyer_valeur, normaliser, sans_article

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
# « Établi par », « rédigé par » nomment souvent le bureau d'études qui a écrit le
# document pour la collectivité : seuls « présenté » et « transmis » désignent l'auteur.
_PRESENTE = re.compile(
    r"(?:pr[ée]sent[ée]|transmis)e? par\s+(?P<nom>[^\n.;,(]{3,80})",
    re.IGNORECASE,
)
_CI_APRES = re.compile(
    r"(?P<nom>[A-ZÀ-Ý][^,()\n]{2,80}?)\s*(?:,\s*|\()\s*(?:ci-apr[èe]s|d[ée]nomm[ée]e?)[^)]{0,20}"
    r"d[ée]l[ée]gataire",
)
_APPOSITION = re.compile(
    r"(?:soci[ée]t[ée]\s+)?(?P<nom>[A-ZÀ-Ý][\w&'’. -]{1,60}?)\s*,\s*(?:votre |notre |le |en "
    r"(?:sa|tant que|qualit[ée] de) )?(?:soci[ée]t[ée] )?d[ée]l[ée]gataire\b"
)
_FORME = re.compile(
    rf"\b(?:{FORMES_SOCIALES})\s+(?:[A-ZÀ-Ý][\w&'’-]*\s?){{1,5}}"
    rf"|(?:[A-ZÀ-Ý][\w&'’-]*\s+(?:(?:de|du|des|d'|et|&)\s+)?){{1,6}}(?:{FORMES_SOCIALES})\b"
)


_GENERIQUE = re.compile(
    r"^(?:(?:la|le|les|l['’])\s*)?(?:soci[ée]t[ée]|entreprise|groupe|compagnie)\s+(?=[A-ZÀ-Ý])"
)
_LIAISONS = {"de", "du", "des", "et", "&", "la", "le", "les", "sur", "en", "d'", "l'", "-", "–"}


def raison_sociale(texte: str) -> str:
    """Le nom propre en tête d'un texte : « la société Eaux de Loue SAS conformément à ... »
    → « Eaux de Loue SAS ». Un article ou un nom commun en minuscules ne fait pas partie de
    la raison sociale ; « Société », « Les » en capitale en font partie."""
    brut = _GENERIQUE.sub("", sans_article(nettoyer_valeur(texte)), count=1)
    garde: list[str] = []
    for mot in brut.split():
        nu = mot.rstrip(",.;:)»")
        if not (_MAJUSCULE.match(nu) or nu.lower() in _LIAISONS or re.match(r"^[dl]['’]", nu)):
            break
        garde.append(nu)
        if nu != mot:
            break
    while garde and garde[-1].lower() in _LIAISONS:
        garde.pop()
    return " ".join(garde)


def _nom(texte: str, m: re.Match[str]) -> Nom | None:
    nom = raison_sociale(m.group("nom"))
    if not nom:
        return None
    debut = texte.find(nom, m.start("nom"))
    return Nom(nom, debut, debut + len(nom)) if debut >= 0 else None


_CONFIE_APRES = re.compile(
    r"confi[ée] (?:la gestion|l['’]exploitation|le soin|la charge|l['’]ex[ée]cution)[^.;]{0,120}?"
    r"\s[àa]\s+(?P<nom>(?:(?:la|le|les|l['’])\s*)?(?:soci[ée]t[ée]\s+)?[A-ZÀ-Ý][^,.;(]{1,80})"
)


def nom_confie(texte: str) -> Nom | None:
    """Le délégataire dans « X a confié à Y la gestion de ... » ou « ... la gestion du
    service à Y »."""
    m = _CONFIE.search(texte)
    if m is not None and (nom := _nom(texte, m)) is not None:
        return nom
    m = _CONFIE_APRES.search(texte)
    return _nom(texte, m) if m is not None else None


def nom_presente(texte: str) -> Nom | None:
    """« Présenté par la société X » → « X » ; « X (ci-après le délégataire) » ;
    « la société X, délégataire du service »."""
    for motif in (_PRESENTE, _CI_APRES, _APPOSITION):
        m = motif.search(texte)
        if m is not None and (nom := _nom(texte, m)) is not None:
            return nom
    return None


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


_FORT = re.compile(rf"^{PREFIXE_AUTORITE_FORTE}\b", re.IGNORECASE)
_CODE_JURIDIQUE = re.compile(r"\bcode\b|collectivit[ée]s territoriales|\bg[ée]n[ée]ral des\b", re.I)
_EN_TETE = {
    "collectivite",
    "collectivites",
    "delegataire",
    "exploitant",
    "commune",
    "ville",
    "societe",
    "titulaire",
    "nom",
    "fermier",
    "concessionnaire",
    "prestataire",
    "entreprise",
    "raison sociale",
    "maitre d'ouvrage",
    "autorite delegante",
    "oui",
    "non",
    "neant",
    "nc",
    "nd",
    "sans objet",
    "regie",
    "service",
    "syndicat",
    "total",
}
_CIVILITE = re.compile(r"^(?:M\.|(?:Mme|Mlle|Monsieur|Madame|Mademoiselle|Ma[îi]tre|Dr|Me|Mr)\b)")
_PERSONNE = re.compile(r"^[A-ZÉ][a-zéèëï]+(?:-[A-ZÉ][a-zéèëï]+)? [A-ZÉÈ]{2,}(?:[- ][A-ZÉÈ]{2,})?$")
_SOCIETE = re.compile(rf"\b(?:{FORMES_SOCIALES})\b|soci[ée]t[ée]|compagnie|groupe", re.IGNORECASE)


def rang_autorite(nom: str) -> int:
    """0 : autorité nommée par sa nature (commune, syndicat…) ; 1 : « Territoire », « Grand »."""
    return 0 if _FORT.match(nom.strip()) else 1


def est_autorite(valeur: str) -> bool:
    """Un nom d'autorité (« Allain », « Ville de X »), jamais celui d'un code ni un en-tête."""
    texte = nettoyer_valeur(valeur)
    if not texte or _CODE_JURIDIQUE.search(texte):
        return False
    return normaliser(sans_article(texte)) not in _EN_TETE and bool(_MAJUSCULE.match(texte))


def est_personne_morale(valeur: str) -> bool:
    """Une raison sociale plausible : ni une personne (« M. Durand », « Gérard STUTZMANN »),
    ni un mot d'en-tête (« Collectivité »), ni une autorité publique, ni un code."""
    texte = nettoyer_valeur(valeur)
    if not texte or _CODE_JURIDIQUE.search(texte) or _CIVILITE.match(texte):
        return False
    if normaliser(sans_article(texte)) in _EN_TETE:
        return False
    if _PERSONNE.match(texte) and not _SOCIETE.search(texte):
        return False
    return not _FORT.match(texte)
