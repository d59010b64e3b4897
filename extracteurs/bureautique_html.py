"""Lecture des documents HTML (lxml) : titres, paragraphes, tableaux, sauts de page CSS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from extracteurs.bureautique_blocs import (
    Bloc,
    BlocTableau,
    BlocTexte,
    Rangee,
    Resultat,
    assembler,
    etaler,
    normaliser,
)
from extracteurs.modeles import Page
from socle.erreurs import ExtractionError

# --- HTML ------------------------------------------------------------------------------

_BLOCS_HTML = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "caption", "center", "dd"),
        *("div", "dl", "dt", "figcaption", "figure", "footer", "form", "header", "hr"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "li", "main", "nav", "ol", "p", "pre"),
        *("section", "ul"),
    }
)
_IGNORES_HTML = frozenset({"script", "style", "head", "noscript", "template", "title"})
_TITRES_HTML = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "caption"})


def _style_saut(element: Any, moment: str) -> bool:
    """Saut de page CSS (« page-break-before: always », « break-before: page »)."""
    style = (element.get("style") or "").replace(" ", "").lower()
    return f"page-break-{moment}:always" in style or f"break-{moment}:page" in style


def _texte_html(element: Any) -> str:
    """Texte d'un élément, les `<br>` et blocs internes comptant pour une espace."""
    morceaux = [element.text or ""]
    for enfant in element:
        if isinstance(enfant.tag, str) and enfant.tag not in _IGNORES_HTML:
            morceaux.append(" " if enfant.tag == "br" or enfant.tag in _BLOCS_HTML else "")
            morceaux.append(_texte_html(enfant))
        morceaux.append(enfant.tail or "")
    return normaliser("".join(morceaux))


def _rangees_html(table: Any, page: int) -> list[Rangee]:
    """Rangées d'un `<table>` : colspan répété (intitulés), rowspan laissé vide."""
    reservees: set[tuple[int, int]] = set()
    grille: list[Rangee] = []
    for i, tr in enumerate(table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")):
        rangee: list[str] = []
        uniques: list[str] = []
        for cellule in tr.xpath("./td | ./th"):
            while (i, len(rangee)) in reservees:
                rangee.append("")
            portee = _entier(cellule.get("colspan"))
            for k in range(1, _entier(cellule.get("rowspan"))):
                reservees.update((i + k, len(rangee) + c) for c in range(portee))
            uniques.append(_texte_html(cellule))
            rangee.extend(etaler(uniques[-1], portee))
        while (i, len(rangee)) in reservees:
            rangee.append("")
        if any(uniques):
            grille.append(Rangee(page, rangee, "\t".join(t for t in uniques if t)))
    return grille


def _entier(valeur: str | None) -> int:
    try:
        return max(1, min(int(valeur or 1), 64))
    except ValueError:
        return 1


class _LecteurHtml:
    def __init__(self) -> None:
        self.page = 1
        self.page_occupee = False
        self.blocs: list[Bloc] = []
        self.morceaux: list[str] = []
        self.titre = 0  # profondeur d'imbrication dans un titre h1-h6

    def vider(self) -> None:
        texte = normaliser("".join(self.morceaux))
        self.morceaux.clear()
        if texte:
            self.blocs.append(BlocTexte(self.page, texte, gras=self.titre > 0))
            self.page_occupee = True

    def _saut(self) -> None:
        self.vider()
        if self.page_occupee:
            self.page += 1
            self.page_occupee = False

    def parcourir(self, element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in _IGNORES_HTML:
            return
        if _style_saut(element, "before"):
            self._saut()
        if tag == "table":
            self._table(element)
        elif tag == "br":
            self.vider()
        else:
            self._contenu(element, tag)
        if _style_saut(element, "after"):
            self._saut()

    def _contenu(self, element: Any, tag: str) -> None:
        bloc = tag in _BLOCS_HTML
        if bloc:
            self.vider()
        self.titre += tag in _TITRES_HTML
        self.morceaux.append(element.text or "")
        for enfant in element:
            self.parcourir(enfant)
            self.morceaux.append(enfant.tail or "")
        if bloc:
            self.vider()
        self.titre -= tag in _TITRES_HTML

    def _table(self, element: Any) -> None:
        self.vider()
        for legende in element.xpath("./caption"):
            self._contenu(legende, "caption")
        rangees = _rangees_html(element, self.page)
        if rangees:
            self.blocs.append(BlocTableau(methode="html", rangees=rangees))
            self.page_occupee = True


def lire_html(chemin: Path) -> Resultat:
    import lxml.html

    brut = chemin.read_bytes()
    if not brut.strip():
        return [Page(numero=1, largeur=0.0, hauteur=0.0)], [], []
    try:
        brut.decode("utf-8")
        # Sans balise meta, lxml supposerait du latin-1 : on impose l'UTF-8 s'il est valide.
        analyseur = lxml.html.HTMLParser(encoding="utf-8")
    except UnicodeDecodeError:
        analyseur = lxml.html.HTMLParser()
    try:
        racine = lxml.html.document_fromstring(brut, parser=analyseur)
    except Exception as exc:  # lxml : ParserError sur un document vide ou illisible
        raise ExtractionError(
            f"Le fichier HTML est illisible : {type(exc).__name__} : {exc}", fichier=chemin
        ) from exc
    lecteur = _LecteurHtml()
    corps = racine.find("body")
    lecteur.parcourir(corps if corps is not None else racine)
    lecteur.vider()
    return assembler(lecteur.blocs, lecteur.page, 0.0, 0.0)
