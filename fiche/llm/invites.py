"""Les messages envoyés au LLM : consignes versionnées et document balisé.

Les consignes sont des fichiers Markdown en français rangés par version
(`prompts/v1/systeme.md`, `consignes.md`, `document.md`, `correction.md`) : changer une
consigne, c'est créer `v2` et changer `VERSION_PROMPT`, ce qui invalide le cache disque et
se lit dans `production.version` de chaque fiche.

Le document est rendu ligne à ligne avec son identifiant opaque (`p4-l12 | Total
produits\t1 284 560\t1 198 000`) et placé entre `<<<DOCUMENT` et `DOCUMENT>>>`. Les
consignes disent que ce texte est une donnée : une injection (« ignore les instructions
précédentes… ») reste enfermée dans la zone balisée. Les balises imitées dans le texte
du rapport sont neutralisées pour qu'il ne puisse pas fermer la zone lui-même.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from extracteurs.modeles import Document, Ligne
from fiche.llm.schema import schema_strict
from fiche.llm.selection import (
    Bloc,
    decouper,
    estimer_jetons,
    lignes_repetees,
    lignes_utiles,
    selectionner_pages,
)

VERSION_PROMPT = "v1"
DOSSIER_PROMPTS = Path(__file__).parent / "prompts" / VERSION_PROMPT
OUVERTURE, FERMETURE = "<<<DOCUMENT", "DOCUMENT>>>"
_CHEVRONS = re.compile(r"<{3,}|>{3,}")
_CHAMP_GABARIT = re.compile(r"\{(\w+)\}")

Message = dict[str, str]
Masque = Callable[[str], str]


@cache
def gabarit(nom: str) -> str:
    """Le texte d'un fichier de consignes de la version courante."""
    return (DOSSIER_PROMPTS / f"{nom}.md").read_text(encoding="utf-8").strip()


def remplir_gabarit(texte: str, **valeurs: str) -> str:
    """Remplace les `{champ}` en une passe : un texte inséré n'est jamais relu comme gabarit.

    (`str.format` casserait sur les accolades d'un rapport ou d'une erreur pydantic.)
    """
    return _CHAMP_GABARIT.sub(lambda m: valeurs.get(m.group(1), m.group(0)), texte)


def message_systeme() -> str:
    return gabarit("systeme") + "\n\n" + gabarit("consignes")


def neutraliser(texte: str) -> str:
    """Chevrons triples remplacés : le rapport ne peut pas fermer la zone `DOCUMENT`."""
    return _CHEVRONS.sub(lambda m: ("‹" if m.group(0)[0] == "<" else "›") * len(m.group(0)), texte)


def rendre_ligne(ligne: Ligne, masque: Masque) -> str:
    return f"{ligne.id} | {masque(neutraliser(ligne.texte))}"


def rendre_page(numero: int, lignes: list[Ligne], masque: Masque, budget: int) -> list[Bloc]:
    """Une page en un bloc, ou en plusieurs si elle dépasse à elle seule le budget."""
    blocs: list[Bloc] = []
    entete = f"=== page {numero} ==="
    courant = [entete]
    for ligne in lignes:
        rendu = rendre_ligne(ligne, masque)
        if len(courant) > 1 and estimer_jetons("\n".join([*courant, rendu])) > budget:
            blocs.append(_bloc(numero, courant))
            courant = [f"=== page {numero} (suite) ==="]
        courant.append(rendu)
    blocs.append(_bloc(numero, courant))
    return blocs


def _bloc(numero: int, lignes: list[str]) -> Bloc:
    texte = "\n".join(lignes)
    return Bloc(page=numero, texte=texte, jetons=estimer_jetons(texte) + 1)


def plan_des_pages_omises(document: Document, gardees: set[int], masque: Masque) -> str:
    """Les titres des pages non transmises, pour juger la conformité sur tout le rapport."""
    titres = [
        rendre_ligne(ligne, masque)
        for page in document.pages
        if page.numero not in gardees
        for ligne in page.lignes
        if ligne.genre == "titre"
    ]
    if not titres:
        return ""
    return "=== plan : titres des pages non transmises ===\n" + "\n".join(titres)


@dataclass(frozen=True)
class Morceau:
    """Un appel au LLM : les pages qu'il couvre et son message utilisateur."""

    pages: list[int]
    utilisateur: str
    jetons_estimes: int
    budget: int  # le `max_jetons` qui l'a découpé : une tâche réduite le divise

    def messages(self) -> list[Message]:
        return [
            {"role": "system", "content": message_systeme()},
            {"role": "user", "content": self.utilisateur},
        ]


def cout_fixe() -> int:
    """Jetons estimés de tout ce qui n'est pas le document : consignes, schéma, gabarit."""
    schema = json.dumps(schema_strict(), ensure_ascii=False)
    return estimer_jetons(message_systeme()) + estimer_jetons(schema) + 200


def preparer_morceaux(
    document: Document,
    max_jetons: int,
    masque: Masque,
    *,
    selection: bool = True,
    pages: list[int] | None = None,
) -> list[Morceau]:
    """Pages choisies, rendues, puis groupées en morceaux tenant dans `max_jetons`.

    `pages` donné (tâche réduite après une réponse tronquée) : ces pages seules, sans le
    plan des pages omises, que le premier morceau a déjà porté."""
    if pages is None:
        pages = selectionner_pages(document) if selection else [p.numero for p in document.pages]
        plan = plan_des_pages_omises(document, set(pages), masque)
    else:
        plan = ""
    budget = max(max_jetons - cout_fixe(), 300)
    repetees, deja_vues = lignes_repetees(document), set[str]()
    blocs: list[Bloc] = []
    for page in document.pages:
        if page.numero in pages:
            lignes = lignes_utiles(page, repetees, deja_vues)
            blocs.extend(rendre_page(page.numero, lignes, masque, budget))
    groupes = decouper(blocs, budget - estimer_jetons(plan))
    return [
        _morceau(
            document, pages, groupe, (rang, len(groupes)), plan if rang == 0 else "", max_jetons
        )
        for rang, groupe in enumerate(groupes)
    ]


def _morceau(
    document: Document,
    pages: list[int],
    blocs: list[Bloc],
    position: tuple[int, int],
    plan: str,
    budget: int,
) -> Morceau:
    rang, total = position
    couvertes = sorted({b.page for b in blocs})
    transmises = (
        f"Pages transmises : {', '.join(map(str, pages))} ; les autres, sans rapport avec la "
        "fiche (annexes techniques, glossaire), ont été omises."
        if len(pages) < len(document.pages)
        else "Toutes les pages sont transmises."
    )
    annonce = (
        f"Morceau {rang + 1} sur {total} (pages {', '.join(map(str, couvertes))}) : remplis "
        "ce que ces pages permettent de remplir, `null` ou listes vides pour le reste.\n"
        if total > 1
        else ""
    )
    corps = "\n".join(filter(None, [plan, *(b.texte for b in blocs)]))
    utilisateur = remplir_gabarit(
        gabarit("document"),
        fichier=Path(document.fichier).name,
        nb_pages=str(len(document.pages)),
        transmises=transmises,
        morceau=annonce,
        document=corps,
    )
    jetons = estimer_jetons(message_systeme() + utilisateur) + estimer_jetons(
        json.dumps(schema_strict(), ensure_ascii=False)
    )
    return Morceau(pages=couvertes, utilisateur=utilisateur, jetons_estimes=jetons, budget=budget)
