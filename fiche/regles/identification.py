"""Identification du contrat : autorité, délégataire, objet, dates, exercice.

Sources par ordre de confiance : la fiche d'identité (tableau ou lignes « étiquette :
valeur »), puis les phrases de présentation (« X a confié à Y la gestion de ... »,
« Objet du contrat : ... », « a pris effet le ... »), puis la page de garde, puis la
mention la plus fréquente. Une valeur introuvable reste vide.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from extracteurs.modeles import Document
from fiche.confiance import noter
from fiche.modeles import Champ, Identification, ModeGestion
from fiche.regles import entites
from fiche.regles.champs import champ_calcule, champ_exact
from fiche.regles.classement import secteur, type_contrat
from fiche.regles.dates import (
    DateLue,
    debut_et_fin,
    duree_en_ans,
    exercices_du_texte,
    fin_selon_duree,
    lire_date,
)
from fiche.regles.gestion import mode_gestion
from fiche.regles.paires import Paire, paires
from fiche.regles.sections import lignes_utiles
from fiche.regles.texte import Paragraphe, nettoyer_valeur, paragraphes, sur_une_ligne
from fiche.regles.type_document import TypeLu

_OBJET = re.compile(
    r"(?:objet (?:du contrat|de la d[ée]l[ée]gation|de la convention|de la concession)\s*:\s*"
    r"|(?:contrat|convention|d[ée]l[ée]gation|concession)[^.;]{0,40}(?:a|ayant) pour objet\s+"
    r"(?:l['’]|la |le |les )?)(?P<objet>[^.;\n]{6,160})",
    re.IGNORECASE,
)
_RELATIF = re.compile(r"\b(?:qui|que|auquel|auxquels|dont|lequel|laquelle)\b")
_ACTIVITE = re.compile(
    r"^(?:Exploitation|Gestion|D[ée]l[ée]gation|Concession|Affermage|Production|Distribution"
    r"|Collecte|Construction|Fourniture|Restauration|Transport|Organisation|Entretien"
    r"|Am[ée]nagement|Mise [àa] disposition|Service public)\b"
)


_PHRASE = "lue dans une phrase du rapport, pas sous une étiquette"
_TITRE = "lue en titre des premières pages, sans étiquette"


@dataclass
class Contexte:
    """Ce que les règles d'identification partagent : texte découpé une fois pour toutes."""

    document: Document
    paires: list[Paire]
    paragraphes: list[Paragraphe]


def _champ_texte(ctx: Contexte, valeur: str, page: int, citation: str) -> Champ[str]:
    """Champ texte cité sur une seule ligne quand c'est possible (meilleur ancrage)."""
    valeur = nettoyer_valeur(valeur)
    ailleurs = sur_une_ligne(ctx.document, valeur, page)
    return champ_exact(valeur, ailleurs or page, valeur if valeur in citation else citation)


def _depuis_paire(
    ctx: Contexte, cle: str, mots_max: int = 25, admis: Callable[[str], bool] = bool
) -> Champ[str] | None:
    """Valeur d'une fiche d'identité ; une phrase entière (définition) n'est pas un nom."""
    for paire in ctx.paires:
        phrase = _RELATIF.search(paire.valeur)
        court = len(paire.valeur.split()) <= mots_max
        if paire.cle == cle and court and not phrase and admis(paire.valeur):
            return _champ_texte(ctx, paire.valeur, paire.page, paire.valeur)
    return None


def collectivite(ctx: Contexte) -> Champ[str]:
    trouvee = _depuis_paire(ctx, "collectivite", mots_max=10, admis=entites.est_autorite)
    if trouvee:
        return trouvee
    for para in ctx.paragraphes:
        nom = entites.autorite_avant_confie(para.texte)
        if nom:
            return noter(_champ_texte(ctx, nom.texte, para.page, nom.texte), 0.9, _PHRASE)
    entieres = [
        (entites.rang_autorite(noms[0].texte), ligne.page, noms[0].texte)
        for ligne in ctx.document.lignes()
        if ligne.page <= 2
        and (noms := entites.collectivites(ligne.texte))
        and noms[0].texte == nettoyer_valeur(ligne.texte)
    ]
    if entieres:
        # Une commune ou un syndicat nommés en titre l'emportent sur un « Territoire Ouest ».
        _, page, titre = min(entieres, key=lambda e: (e[0], e[1]))
        return noter(_champ_texte(ctx, titre, page, titre), 0.85, _TITRE)
    return _plus_frequente(ctx)


def _plus_frequente(ctx: Contexte) -> Champ[str]:
    vus: Counter[str] = Counter()
    premieres: dict[str, int] = {}
    for ligne in lignes_utiles(ctx.document):
        for nom in entites.collectivites(ligne.texte):
            if entites.rang_autorite(nom.texte) > 0:
                continue
            vus[nom.texte] += 1
            premieres.setdefault(nom.texte, ligne.page)
    if not vus:
        return Champ[str]()
    gagnant, _ = vus.most_common(1)[0]
    motif = "mention la plus fréquente du document, sans étiquette qui la désigne"
    return noter(_champ_texte(ctx, gagnant, premieres[gagnant], gagnant), 0.6, motif)


def delegataire(ctx: Contexte) -> Champ[str]:
    """La raison sociale du délégataire : une personne morale, jamais une personne, un mot
    d'en-tête (« Collectivité ») ni le bureau d'études qui a rédigé le document."""
    trouve = _depuis_paire(ctx, "delegataire", mots_max=10, admis=entites.est_personne_morale)
    if trouve:
        return trouve
    for chercher in (entites.nom_confie, entites.nom_presente):
        for para in ctx.paragraphes:
            nom = chercher(para.texte)
            if nom and len(nom.texte) <= 90 and entites.est_personne_morale(nom.texte):
                return noter(_champ_texte(ctx, nom.texte, para.page, nom.texte), 0.9, _PHRASE)
    for para in ctx.paragraphes:
        nom = entites.nom_a_forme_sociale(para.texte) if para.page <= 3 else None
        if nom:
            motif = "première société nommée dans les premières pages, sans étiquette"
            return noter(_champ_texte(ctx, nom.texte, para.page, nom.texte), 0.7, motif)
    return Champ[str]()


def objet(ctx: Contexte) -> Champ[str]:
    trouve = _depuis_paire(ctx, "objet")
    if trouve:
        return trouve
    for para in ctx.paragraphes:
        m = _OBJET.search(para.texte)
        if m:
            texte = nettoyer_valeur(m.group("objet"))
            return noter(_champ_texte(ctx, texte, para.page, texte), 0.9, _PHRASE)
    for ligne in ctx.document.pages[0].lignes if ctx.document.pages else []:
        texte = nettoyer_valeur(ligne.texte)
        if _ACTIVITE.match(texte) and len(texte) <= 160:
            return noter(_champ_texte(ctx, texte, ligne.page, texte), 0.7, _TITRE)
    return Champ[str]()


def _champ_date(lue: DateLue, page: int) -> Champ[date]:
    return champ_exact(lue.valeur, page, lue.texte)


def dates_contrat(ctx: Contexte) -> tuple[Champ[date], Champ[date]]:
    """Début et fin ; une fin déduite d'une durée (« pour 9 ans ») est « calcule »."""
    debut, fin = _dates_des_paires(ctx)
    for para in ctx.paragraphes:
        if debut.valeur is not None and fin.valeur is not None:
            break
        if _AUTRE_CONTRAT.search(para.texte):
            continue
        lu_debut, lu_fin = debut_et_fin(para.texte)
        if lu_debut and debut.valeur is None:
            debut = noter(_champ_date(lu_debut, para.page), 0.9, _PHRASE)
        if lu_fin and fin.valeur is None:
            fin = noter(_champ_date(lu_fin, para.page), 0.9, _PHRASE)
    if debut.valeur is not None and fin.valeur is None:
        fin = _fin_par_duree(ctx, debut.valeur, debut.page)
    return debut, fin


def _dates_des_paires(ctx: Contexte) -> tuple[Champ[date], Champ[date]]:
    debut: Champ[date] = Champ[date]()
    fin: Champ[date] = Champ[date]()
    for paire in ctx.paires:
        if paire.cle == "date_debut" and debut.valeur is None and (lue := lire_date(paire.valeur)):
            debut = _champ_date(lue, paire.page)
        elif paire.cle == "date_fin" and fin.valeur is None and (lue := lire_date(paire.valeur)):
            fin = _champ_date(lue, paire.page)
        elif paire.cle == "duree":
            lu_debut, lu_fin = debut_et_fin(f"du {paire.valeur}".replace("du du", "du"))
            if lu_debut and debut.valeur is None:
                debut = _champ_date(lu_debut, paire.page)
            if lu_fin and fin.valeur is None:
                fin = _champ_date(lu_fin, paire.page)
    return debut, fin


_CONTRAT = re.compile(r"contrat|convention|d[ée]l[ée]gation|concession|affermage", re.IGNORECASE)
_AUTRE_CONTRAT = re.compile(
    r"\b(?:nouve(?:au|l|lle)|futur|future|prochain|prochaine|pr[ée]c[ée]dent|pr[ée]c[ée]dente"
    r"|ancien|ancienne)s?\s+(?:contrat|convention|d[ée]l[ée]gation|concession|affermage"
    r"|d[ée]l[ée]gataire|exploitant)|\brenouvellement\s+(?:du|de\s+la)\s+(?:contrat|d[ée]l[ée]gation)",
    re.IGNORECASE,
)
"""Phrase sur un autre contrat que celui en cours (le suivant, le précédent) : ses dates ne
sont pas celles du contrat du rapport."""
_AUTRE_DUREE = re.compile(r"amorti|emprunt|pr[êe]t\b|garantie|\bbail\b|cr[ée]dit", re.IGNORECASE)


def _fin_par_duree(ctx: Contexte, debut: date, page_debut: int | None) -> Champ[date]:
    """Échéance = début + durée − 1 jour, si le rapport donne la durée mais pas la fin.

    La durée doit être celle du contrat : phrase qui parle du contrat (ou fiche
    d'identité), jamais une durée d'amortissement ou d'emprunt.
    """
    textes = [(p.valeur, p.page) for p in ctx.paires if p.cle == "duree"]
    textes += [
        (p.texte, p.page)
        for p in sorted(ctx.paragraphes, key=lambda p: p.page != page_debut)
        if _CONTRAT.search(p.texte)
        and not _AUTRE_DUREE.search(p.texte)
        and not _AUTRE_CONTRAT.search(p.texte)
    ]
    for texte, page in textes:
        duree = duree_en_ans(texte)
        if duree is not None:
            return champ_calcule(fin_selon_duree(debut, duree[0]), page, duree[1])
    return Champ[date]()


def exercice(ctx: Contexte) -> Champ[int]:
    """Année de clôture : la mention « Exercice 2023 » qui confirme l'exercice probable."""
    mentions = exercices_du_texte(ctx.document)
    probable = ctx.document.exercice_probable
    confirmees = [m for m in mentions if m.annee == probable]
    choisies = confirmees or mentions
    if not choisies:
        return Champ[int]()
    lu = champ_exact(choisies[0].annee, choisies[0].page, choisies[0].citation)
    if not confirmees:
        noter(lu, 0.7, "mention d'exercice que les dates du document ne confirment pas")
    return lu


def identifier(document: Document, type_lu: TypeLu | None = None) -> Identification:
    """L'identification ; ce qui n'existe que pour une délégation (délégataire, type de
    contrat, dates du contrat) reste vide quand le service n'est pas délégué ou que le
    document ne le dit pas."""
    ctx = Contexte(document, paires(document), paragraphes(document))
    mode = mode_gestion(document, ctx.paires, ctx.paragraphes, type_lu)
    identification = Identification(
        collectivite=collectivite(ctx),
        exercice=exercice(ctx),
        mode_gestion=mode,
    )
    regie = mode.valeur in (ModeGestion.REGIE, ModeGestion.REGIE_PRESTATION)
    rpqs = type_lu is not None and type_lu.valeur == "rpqs"
    if regie or (rpqs and mode.valeur != ModeGestion.DELEGATION):
        # Un RPQS de régie (ou muet sur sa gestion) n'a ni contrat ni délégataire à lire :
        # tout nom ou toute date trouvés ailleurs serait celui d'un prestataire ou d'un tarif.
        identification.secteur = secteur(document, ctx.paires, ctx.paragraphes, Champ[str]())
        motif = (
            "service en régie : pas de délégataire ni de contrat de délégation"
            if regie
            else "RPQS qui ne dit pas que le service est délégué : rien à lire sur un contrat"
        )
        for nom in ("objet", "delegataire", "type_contrat", "date_debut", "date_fin"):
            getattr(identification, nom).motif = motif
        return identification
    debut, fin = dates_contrat(ctx)
    objet_lu = objet(ctx)
    identification.objet = objet_lu
    identification.secteur = secteur(document, ctx.paires, ctx.paragraphes, objet_lu)
    identification.delegataire = delegataire(ctx)
    identification.type_contrat = type_contrat(document, ctx.paires, ctx.paragraphes)
    identification.date_debut, identification.date_fin = debut, fin
    return identification
