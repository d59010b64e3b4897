"""pdfplumber, caractères convertis sans détour : mêmes objets, moins de CPU.

pdfplumber convertit chaque objet pdfminer en dictionnaire (`Page.process_object`) en
passant chaque attribut par `resolve_all` (références PDF, listes, dictionnaires) et en
redécodant le nom d'espace de couleurs caractère par caractère. Sur une page de texte,
il y a des milliers de caractères et leurs attributs sont des nombres, des chaînes ou la
matrice (n-uplet de nombres) : ce travail coûte ~15 % de la lecture pour rien.

`PageAllegee` traite les caractères (`LTChar`) par un chemin direct qui rend *le même*
dictionnaire (mêmes clés, même ordre, mêmes valeurs : test d'égalité sur les corpus
contre pdfplumber tel quel) ; tout autre objet (traits, rectangles, courbes, images)
passe par pdfplumber inchangé. Écrit pour pdfplumber 0.11 (version verrouillée) : le
test d'égalité dit si une montée de version change la conversion.
"""

from __future__ import annotations

import functools
import logging
from typing import Any
from unicodedata import normalize as normalize_unicode

from pdfminer import pdfinterp, psparser
from pdfminer.layout import LTChar, LTItem
from pdfminer.pdfpage import PDFPage
from pdfplumber.page import ALL_ATTRS, Page, fix_fontname_bytes
from pdfplumber.pdf import PDF
from pdfplumber.utils.exceptions import PdfminerException
from pdfplumber.utils.pdfinternals import resolve_all, resolve_and_decode

_SIMPLES = frozenset({int, float, str, bool, type(None)})
"""Types que `resolve_all` rend tels quels."""


def _resolu(valeur: Any) -> Any:
    """`resolve_all(valeur)`, sans appel pour un scalaire ou un n-uplet de scalaires (la
    matrice) : `resolve_all` les rend égaux à eux-mêmes."""
    if type(valeur) in _SIMPLES:
        return valeur
    if type(valeur) is tuple and all(type(v) in _SIMPLES for v in valeur):
        return valeur
    return resolve_all(valeur)


@functools.lru_cache(maxsize=64)
def _espace_couleurs(nom: Any) -> Any:
    return resolve_and_decode(nom)


def milieu(objet: dict[str, Any]) -> tuple[float, float]:
    """Le milieu (x, y) d'un objet pdfplumber, calculé comme pdfplumber le fait pour dire
    si un caractère est dans une cellule : même formule, mêmes arrondis."""
    return (objet["x0"] + objet["x1"]) / 2, (objet["top"] + objet["bottom"]) / 2


class PageAllegee(Page):
    """Une page pdfplumber dont les caractères se convertissent par le chemin direct."""

    def process_object(self, obj: LTItem) -> dict[str, Any]:
        if type(obj) is not LTChar:
            return super().process_object(obj)
        # Le test du type est fait ici pour les scalaires (l'essentiel des attributs) :
        # un appel de fonction par attribut et par caractère coûtait ~3 % de la lecture.
        attr = {
            k: v if type(v) in _SIMPLES else _resolu(v)
            for k, v in obj.__dict__.items()
            if k in ALL_ATTRS
        }
        attr["object_type"] = "char"
        attr["page_number"] = self.page_number
        for cs in ("ncs", "scs"):
            if hasattr(obj, cs):
                nom = getattr(obj, cs).name
                attr[cs] = _espace_couleurs(nom) if type(nom) is str else resolve_and_decode(nom)
        text = obj.get_text()
        norme = self.pdf.unicode_norm
        attr["text"] = normalize_unicode(norme, text) if norme is not None else text
        gs = obj.graphicstate
        attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
        attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
        if isinstance(attr["fontname"], bytes):
            attr["fontname"] = fix_fontname_bytes(attr["fontname"])
        mb_x0, mb_top = self.mediabox[:2]
        if "y0" in attr:
            attr["top"] = (self.height - attr["y1"]) + mb_top
            attr["bottom"] = (self.height - attr["y0"]) + mb_top
            attr["doctop"] = self.initial_doctop + attr["top"]
        if "x0" in attr and mb_x0 != 0:
            attr["x0"] = attr["x0"] + mb_x0
            attr["x1"] = attr["x1"] + mb_x0
        return attr


class PdfAllege(PDF):
    """`pdfplumber.PDF` dont les pages sont des `PageAllegee` (reprend `PDF.pages`)."""

    @property
    def pages(self) -> list[Page]:
        if hasattr(self, "_pages"):
            return self._pages
        doctop: float = 0
        self._pages: list[Page] = []
        pages = PDFPage.create_pages(self.doc)
        numero = 0
        while True:
            try:
                page = next(pages)
            except StopIteration:
                break
            except Exception as exc:
                raise PdfminerException(exc) from exc
            numero += 1
            if self.pages_to_parse is not None and numero not in self.pages_to_parse:
                continue
            lue = PageAllegee(self, page, page_number=numero, initial_doctop=doctop)
            self._pages.append(lue)
            doctop += lue.height
        return self._pages


class _JournalSansDebogage:
    """Le journal d'un module de pdfminer dont les appels DEBUG ne font rien.

    pdfminer journalise chaque jeton lu au niveau DEBUG (~30 000 appels par page dans
    `psparser` et `pdfinterp`, pdfminer.six #347) ; même filtré par le niveau, chaque appel
    coûte un test (~0,1 µs), ~3 % de la lecture. Tout le reste passe au vrai journal."""

    def __init__(self, journal: logging.Logger) -> None:
        self.journal = journal

    def debug(self, *_args: object, **_kwargs: object) -> None:
        """DEBUG n'était pas actif à l'ouverture du document : rien à écrire."""

    def __getattr__(self, nom: str) -> Any:
        return getattr(self.journal, nom)


def journaux_pdfminer() -> None:
    """Avant chaque document : les journaux de lecture de pdfminer sans leurs appels DEBUG,
    sauf si ce niveau est actif (un agent qui diagnostique un PDF voit tout)."""
    for module in (psparser, pdfinterp):
        courant = module.log
        journal = courant.journal if isinstance(courant, _JournalSansDebogage) else courant
        actif = journal.isEnabledFor(logging.DEBUG)
        setattr(module, "log", journal if actif else _JournalSansDebogage(journal))  # noqa: B010
