"""Les indicateurs SISPEA en petits appels : pour chaque code, les lignes où les règles en
lisent une valeur ; le modèle en désigne une (utile surtout quand les sources se
contredisent et que les règles s'abstiennent). Les codes sont groupés en autant d'appels
que le budget de jetons l'exige."""

from __future__ import annotations

import math

from extracteurs.modeles import Document
from fiche.llm.candidats import Lecture, Question, Section, champ_llm, estimer, ligne_portant
from fiche.modeles import Ancrage, Fiche
from fiche.regles.sispea import candidats
from fiche.regles.sispea.referentiel import referentiel

LONGUEUR_LIGNE = 160


def _options(document: Document, exercice: int) -> dict[str, dict[str, Lecture]]:
    """Code → (identifiant de ligne → lecture) ; une ligne qui porte deux nombres
    différents pour un même code ne se désigne pas sans ambiguïté : écartée."""
    par_code: dict[str, dict[str, Lecture]] = {}
    ambigues: set[tuple[str, str]] = set()
    for lu in candidats(document, exercice):
        ligne = ligne_portant(document, lu.page, lu.citation)
        if lu.nombre is None or ligne is None:
            continue
        ancrage = Ancrage.APPROCHE if lu.converti else Ancrage.EXACT
        champ = champ_llm(lu.nombre, lu.page, lu.citation, ancrage)
        options = par_code.setdefault(lu.code, {})
        deja = options.get(ligne.id)
        if deja is None and (lu.code, ligne.id) not in ambigues:
            options[ligne.id] = {("indicateurs_sispea", lu.code): champ}
        elif deja is not None and not math.isclose(
            float(next(iter(deja.values())).valeur or 0.0), lu.nombre, abs_tol=1e-9
        ):
            ambigues.add((lu.code, ligne.id))
            del options[ligne.id]
    return {code: options for code, options in par_code.items() if options}


def sections_sispea(document: Document, regles: Fiche, budget: int) -> list[Section]:
    exercice = document.exercice_probable or regles.identification.exercice.valeur
    if exercice is None:
        return []
    lignes = {lg.id: lg for lg in document.lignes()}
    blocs: list[tuple[Question, str, set[int]]] = []
    for code, options in sorted(_options(document, exercice).items()):
        definition = referentiel()[code]
        consigne = f"{definition.libelle} ({definition.unite}), exercice {exercice}"
        rendu = [f"{code} : {consigne}"]
        rendu += [f"{i} | {lignes[i].texte[:LONGUEUR_LIGNE]}" for i in options]
        pages = {lignes[i].page for i in options}
        blocs.append((Question(code, consigne, options), "\n".join(rendu), pages))
    sections: list[Section] = []
    courant: list[tuple[Question, str, set[int]]] = []
    for bloc in blocs:
        if courant and estimer("\n".join(b[1] for b in [*courant, bloc])) > budget:
            sections.append(_section(courant, len(sections) + 1))
            courant = []
        if estimer(bloc[1]) <= budget:
            courant.append(bloc)
    if courant:
        sections.append(_section(courant, len(sections) + 1))
    return sections


def _section(blocs: list[tuple[Question, str, set[int]]], rang: int) -> Section:
    return Section(
        nom=f"sispea {rang}",
        consigne="Indicateurs réglementaires SISPEA : désigne la ligne qui donne la valeur "
        "de l'exercice pour chaque code.",
        texte="\n\n".join(b[1] for b in blocs),
        questions=[b[0] for b in blocs],
        pages=sorted(set().union(*(b[2] for b in blocs))),
    )
