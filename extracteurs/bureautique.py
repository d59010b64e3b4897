"""Documents bureautiques (DOCX, ODT, HTML, XLSX) -> pages, lignes et grilles brutes.

Le DOCX est lu directement dans son XML (python-docx) : `unstructured` ne compte les
pages que sur les sauts « rendus » par Word, pas sur les sauts de page explicites ; il
sert ensuite au seul typage des éléments (`extracteurs.typage`). L'ODT passe par pandoc
(paquet pypandoc-binary) vers DOCX ; le HTML est parcouru avec lxml.

Pagination DOCX : si Word a enregistré sa mise en page (`w:lastRenderedPageBreak`),
les pages sont celles du document imprimé ; sinon on suit les sauts explicites
(saut de page, « saut de page avant », saut de section).
"""

from __future__ import annotations

import itertools
import re
import tempfile
from collections.abc import Iterator
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
from extracteurs.bureautique_html import lire_html
from extracteurs.bureautique_tableur import lire_classeur
from extracteurs.grilles import GrilleBrute
from extracteurs.modeles import Page
from socle.erreurs import ExtractionError
from socle.reglages import Reglages
from socle.reglages import reglages as reglages_courants

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Sous-arbres sans texte affiché : propriétés, texte supprimé (révisions), rendu de
# secours d'un objet déjà lu dans sa version principale (mc:Choice).
_IGNORES_DOCX = {f"{_W}pPr", f"{_W}rPr", f"{_W}del", f"{_W}moveFrom", _MC_FALLBACK}
_FAUX = {"0", "false", "off"}
_STYLES_TITRE = re.compile(r"^(heading|titre|title|subtitle|sous-titre)\b", re.IGNORECASE)
# Au-delà de ce volume sans aucun saut de page, la page 1 unique ne reflète pas le document.
PAGINATION_ALERTE_CARACTERES = 6000


class _Saut:
    """Jeton de saut dans le flux de texte d'un paragraphe."""

    def __init__(self, nom: str) -> None:
        self.nom = nom


SAUT_LIGNE = _Saut("ligne")
SAUT_PAGE = _Saut("page")


def lire_bureautique(chemin: Path, reglages: Reglages | None = None) -> Resultat:
    """DOCX, ODT, XLSX (et HTML) -> pages avec lignes, grilles brutes, avertissements."""
    limites = reglages or reglages_courants()
    chemin = Path(chemin)
    if not chemin.is_file():
        raise ExtractionError("Fichier introuvable", fichier=chemin)
    suffixe = chemin.suffix.lower()
    if suffixe in {".docx", ".docm"}:
        pages, grilles, avertissements = _lire_docx(chemin, chemin)
    elif suffixe == ".odt":
        pages, grilles, avertissements = _lire_odt(chemin, limites)
    elif suffixe in {".html", ".htm", ".xhtml"}:
        pages, grilles, avertissements = lire_html(chemin)
    elif suffixe in {".xlsx", ".xlsm", ".xls"}:
        pages, grilles, avertissements = lire_classeur(chemin)
    else:
        raise ExtractionError(
            f"Format bureautique non pris en charge : « {suffixe or 'sans extension'} »",
            fichier=chemin,
        )
    if not any(ligne.texte.strip() for page in pages for ligne in page.lignes):
        raise ExtractionError("Le document ne contient aucun texte exploitable", fichier=chemin)
    return _limiter_pages(pages, grilles, avertissements, limites.max_pages)


def _limiter_pages(
    pages: list[Page], grilles: list[GrilleBrute], avert: list[str], maximum: int
) -> Resultat:
    if len(pages) <= maximum:
        return pages, grilles, avert
    avert.append(
        f"Document tronqué : seules les {maximum} premières pages sur {len(pages)} sont lues "
        "(réglage DSP_MAX_PAGES)"
    )
    return pages[:maximum], [g for g in grilles if g.page <= maximum], avert


# --- DOCX ------------------------------------------------------------------------------


def _val(element: Any, nom: str) -> str | None:
    return element.get(f"{_W}{nom}") if element is not None else None


def _actif(element: Any) -> bool:
    """Propriété booléenne OOXML (`<w:b/>`, `<w:b w:val="0"/>`…)."""
    return element is not None and (_val(element, "val") or "1").lower() not in _FAUX


_Morceau = tuple[str, Any]  # un bout de texte et le `w:r` qui le porte (pour le gras)


def _jetons(element: Any, rendu: bool, run: Any = None) -> Iterator[_Morceau | _Saut]:
    """Texte et sauts d'un paragraphe (ou d'une cellule), dans l'ordre du document."""
    for enfant in element:
        tag = enfant.tag
        if tag == f"{_W}t":
            yield enfant.text or "", run
        elif tag in {f"{_W}tab", f"{_W}noBreakHyphen"}:
            yield (" " if tag == f"{_W}tab" else "-"), run
        elif tag == f"{_W}br":
            explicite = _val(enfant, "type") == "page"
            if not explicite:
                yield SAUT_LIGNE
            elif not rendu:
                yield SAUT_PAGE
        elif tag == f"{_W}cr":
            yield SAUT_LIGNE
        elif tag == f"{_W}lastRenderedPageBreak":
            if rendu:
                yield SAUT_PAGE
        elif tag == f"{_W}p":
            yield SAUT_LIGNE  # paragraphe imbriqué (zone de texte, cellule)
            yield from _jetons(enfant, rendu)
        elif tag not in _IGNORES_DOCX and isinstance(tag, str):
            yield from _jetons(enfant, rendu, enfant if tag == f"{_W}r" else run)


class _LecteurDocx:
    """Parcours du corps d'un DOCX : paragraphes et tableaux en blocs paginés."""

    def __init__(self, document: Any) -> None:
        corps = document.element.body
        self.rendu = next(corps.iter(f"{_W}lastRenderedPageBreak"), None) is not None
        self.styles_gras = _styles_gras(document)
        self.sauts_section = _sauts_section(corps)
        self.page = 1
        self.page_occupee = False
        self.blocs: list[Bloc] = []

    def lire(self, conteneur: Any) -> None:
        for enfant in conteneur:
            if enfant.tag == f"{_W}p":
                self._paragraphe(enfant)
            elif enfant.tag == f"{_W}tbl":
                self._table(enfant)
            elif enfant.tag in {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"}:
                self.lire(enfant)  # contrôles de contenu (sommaire, champs) : on y entre

    def _nouvelle_page(self) -> None:
        self.page += 1
        self.page_occupee = False

    def _emettre(self, morceaux: list[_Morceau], titre: bool) -> None:
        texte = normaliser("".join(t for t, _ in morceaux))
        # Gras : ligne d'un titre, ou dont tous les bouts de texte sont en gras.
        gras = titre or all(self._run_gras(r) for t, r in morceaux if t.strip())
        morceaux.clear()
        if texte:
            self.blocs.append(BlocTexte(self.page, texte, gras))
            self.page_occupee = True

    def _paragraphe(self, p: Any) -> None:
        if not self.rendu and self._saut_avant(p) and self.page_occupee:
            self._nouvelle_page()
        titre = self._est_titre(p)
        morceaux: list[_Morceau] = []
        for jeton in _jetons(p, self.rendu):
            if isinstance(jeton, tuple):
                morceaux.append(jeton)
                continue
            self._emettre(morceaux, titre)
            if jeton is SAUT_PAGE:
                self._nouvelle_page()
        self._emettre(morceaux, titre)
        if not self.rendu and p in self.sauts_section:
            self._nouvelle_page()

    def _saut_avant(self, p: Any) -> bool:
        ppr = p.find(f"{_W}pPr")
        return ppr is not None and _actif(ppr.find(f"{_W}pageBreakBefore"))

    def _est_titre(self, p: Any) -> bool:
        """Style de titre (ou en gras), ou niveau de plan : « Title » pour unstructured."""
        ppr = p.find(f"{_W}pPr")
        if ppr is None:
            return False
        style = _val(ppr.find(f"{_W}pStyle"), "val")
        return style in self.styles_gras or ppr.find(f"{_W}outlineLvl") is not None

    def _run_gras(self, run: Any) -> bool:
        rpr = run.find(f"{_W}rPr") if run is not None else None
        if rpr is None:
            return False
        style = _val(rpr.find(f"{_W}rStyle"), "val")
        return _actif(rpr.find(f"{_W}b")) or style in self.styles_gras

    def _table(self, tbl: Any) -> None:
        table = BlocTableau(methode="docx")
        for tr in tbl.xpath("./w:tr | ./w:sdt/w:sdtContent/w:tr | ./w:customXml/w:tr"):
            cellules, uniques, sauts = _rangee_docx(tr, self.rendu)
            if sauts:
                # Une rangée qui commence une page (Word l'a marquée) : page suivante.
                self._nouvelle_page()
            if any(cellules):
                texte = "\t".join(t for t in uniques if t)
                table.rangees.append(Rangee(self.page, cellules, texte))
                self.page_occupee = True
        if table.rangees:
            self.blocs.append(table)


def _rangee_docx(tr: Any, rendu: bool) -> tuple[list[str], list[str], int]:
    """Cellules d'une rangée (fusions résolues), textes uniques, sauts de page vus."""
    cellules: list[str] = []
    uniques: list[str] = []
    sauts = 0
    trpr = tr.find(f"{_W}trPr")
    avant = _val(trpr.find(f"{_W}gridBefore") if trpr is not None else None, "val")
    cellules.extend([""] * int(avant or 0))
    for tc in tr.xpath("./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc"):
        tcpr = tc.find(f"{_W}tcPr")
        portee = int(_val(tcpr.find(f"{_W}gridSpan") if tcpr is not None else None, "val") or 1)
        fusion = tcpr.find(f"{_W}vMerge") if tcpr is not None else None
        morceaux = []
        for jeton in _jetons(tc, rendu):
            sauts += jeton is SAUT_PAGE
            morceaux.append(jeton[0] if isinstance(jeton, tuple) else " ")
        texte = normaliser("".join(morceaux))
        # Suite d'une fusion verticale : vide, pour ne pas compter deux fois un montant.
        if fusion is not None and _val(fusion, "val") != "restart":
            texte = ""
        cellules.extend(etaler(texte, max(1, min(portee, 64))))
        uniques.append(texte)
    return cellules, uniques, sauts


def _styles_gras(document: Any) -> set[str]:
    """Identifiants des styles de paragraphe de titre ou en gras (héritage compris)."""
    resultat: set[str] = set()
    for style in document.styles:
        courant, profondeur = style, 0
        while courant is not None and profondeur < 10:
            nom = courant.name or ""
            ppr = courant.element.find(f"{_W}pPr")
            plan = ppr is not None and ppr.find(f"{_W}outlineLvl") is not None
            gras = getattr(getattr(courant, "font", None), "bold", None)
            if _STYLES_TITRE.match(nom) or plan or gras:
                resultat.add(style.style_id)
                break
            courant, profondeur = getattr(courant, "base_style", None), profondeur + 1
    return resultat


def _sauts_section(corps: Any) -> set[Any]:
    """Paragraphes qui terminent une section suivie d'une nouvelle page.

    Le type d'une section (continue, page suivante…) est porté par la section qui *commence*,
    donc par le `w:sectPr` suivant ; le défaut OOXML est « page suivante »."""
    sections = list(corps.iter(f"{_W}sectPr"))
    paragraphes = set()
    for section, suivante in itertools.pairwise(sections):
        type_suivant = _val(suivante.find(f"{_W}type"), "val") or "nextPage"
        parent = section.getparent()
        if type_suivant != "continuous" and parent is not None and parent.tag == f"{_W}pPr":
            paragraphes.add(parent.getparent())
    return paragraphes


def _lire_docx(chemin: Path, source: Path) -> Resultat:
    import docx

    try:
        document = docx.Document(str(chemin))
    except Exception as exc:  # python-docx : PackageNotFoundError, KeyError, XMLSyntaxError…
        raise ExtractionError(
            f"Le fichier DOCX est illisible ou corrompu : {type(exc).__name__} : {exc}",
            fichier=source,
        ) from exc
    lecteur = _LecteurDocx(document)
    lecteur.lire(document.element.body)
    largeur, hauteur = _format_page(document)
    pages, grilles, avertissements = assembler(lecteur.blocs, lecteur.page, largeur, hauteur)
    return pages, grilles, avertissements + _avertissements_docx(document, lecteur)


def _format_page(document: Any) -> tuple[float, float]:
    try:
        section = document.sections[0]
        return float(section.page_width.pt), float(section.page_height.pt)
    except (IndexError, AttributeError):
        return 0.0, 0.0


def _avertissements_docx(document: Any, lecteur: _LecteurDocx) -> list[str]:
    corps = document.element.body
    avertissements = []
    if next(corps.iter(f"{_W}ins", f"{_W}del"), None) is not None:
        avertissements.append(
            "Le document contient des modifications suivies non acceptées : le texte lu "
            "inclut les insertions et ignore les suppressions"
        )
    volume = sum(len(b.texte) for b in lecteur.blocs if isinstance(b, BlocTexte))
    if lecteur.page == 1 and volume > PAGINATION_ALERTE_CARACTERES:
        avertissements.append(
            "Pagination inconnue : le DOCX n'enregistre aucun saut de page, "
            "tout le texte est placé en page 1"
        )
    return avertissements


# --- ODT (via pandoc) ------------------------------------------------------------------


def _options_pandoc(limites: Reglages) -> list[str]:
    """pandoc décompresse l'ODT avec sa propre bibliothèque : son tas est borné (`-M`) comme
    le recommande son manuel pour une entrée non fiable, et `--sandbox` lui interdit de lire
    d'autres fichiers (images liées par un chemin local) ou le réseau."""
    return ["--sandbox", "+RTS", f"-M{2 * limites.max_decompresse_mo}m", "-RTS"]


def _lire_odt(chemin: Path, limites: Reglages) -> Resultat:
    try:
        import pypandoc
    except ImportError as exc:
        raise ExtractionError(
            "La lecture des fichiers ODT nécessite pandoc (paquet pypandoc-binary), "
            "absent de cette installation",
            fichier=chemin,
        ) from exc
    with tempfile.TemporaryDirectory() as dossier:
        cible = Path(dossier) / "converti.docx"
        try:
            pypandoc.convert_file(
                str(chemin),
                "docx",
                format="odt",
                outputfile=str(cible),
                extra_args=_options_pandoc(limites),
            )
        except (RuntimeError, OSError) as exc:
            raise ExtractionError(
                f"Le fichier ODT est illisible ou corrompu : {exc}", fichier=chemin
            ) from exc
        pages, grilles, avertissements = _lire_docx(cible, chemin)
    # pandoc ne transmet pas les sauts de page de l'ODT.
    if len(pages) == 1 and len(pages[0].texte) > PAGINATION_ALERTE_CARACTERES:
        avertissements.append("Pagination de l'ODT non conservée : tout le texte est en page 1")
    return pages, grilles, avertissements
