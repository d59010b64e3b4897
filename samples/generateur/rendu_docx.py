"""Rendu Word (python-docx) : vrais titres, vrais tableaux, sauts de page explicites.

La page d'un bloc est 1 + le nombre de sauts de page qui le précèdent (convention des
extracteurs pour le DOCX) ; chaque partie est assez courte pour tenir sur une page.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObjet
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from extracteurs.nombres import lire_nombre

from .deterministe import figer_zip
from .modele import Paragraphe, Rapport, SautPage, SectionPaysage, Tableau, Titre

DATE_FIGEE = datetime(2024, 5, 28, 10, 0, 0)


def _tableau(document: DocumentObjet, bloc: Tableau) -> None:
    if bloc.titre:
        document.add_paragraph().add_run(bloc.titre).bold = True
    if bloc.legende:
        document.add_paragraph(bloc.legende).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    largeur = max(len(r) for r in bloc.entetes + [lg.cellules for lg in bloc.lignes])
    table = document.add_table(rows=0, cols=largeur)
    table.style = "Table Grid" if bloc.regle else None
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for rang, cellules in enumerate([*bloc.entetes, *[lg.cellules for lg in bloc.lignes]]):
        gras = rang < len(bloc.entetes) or bloc.lignes[rang - len(bloc.entetes)].gras
        ligne = table.add_row().cells
        for j, texte in enumerate(cellules):
            paragraphe = ligne[j].paragraphs[0]
            paragraphe.add_run(texte).bold = gras
            if j > 0 and (lire_nombre(texte) is not None or rang < len(bloc.entetes)):
                paragraphe.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def rendre_docx(rapport: Rapport, chemin: Path) -> dict[str, int]:
    document = Document()
    document.styles["Normal"].font.name = "Calibri"
    document.styles["Normal"].font.size = Pt(10.5)
    page = 1
    pages: dict[str, int] = {}
    for bloc in rapport.blocs:
        if isinstance(bloc, SectionPaysage):
            raise ValueError("pas de section paysage en DOCX")
        if isinstance(bloc, SautPage):
            document.add_page_break()  # type: ignore[no-untyped-call]
            page += 1
            continue
        if isinstance(bloc, Titre):
            document.add_heading(bloc.texte, level=bloc.niveau)
        elif isinstance(bloc, Paragraphe):
            style = "List Bullet" if bloc.puce else None
            paragraphe = document.add_paragraph(bloc.texte, style=style)
            if bloc.centre:
                paragraphe.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(bloc, Tableau):
            _tableau(document, bloc)
            pages.update({lg.cle: page for lg in bloc.lignes if lg.cle})
        if bloc.cle:
            pages[bloc.cle] = page
    proprietes = document.core_properties
    proprietes.author = "Restauration scolaire"
    proprietes.title = rapport.titre_document
    proprietes.created = proprietes.modified = proprietes.last_printed = DATE_FIGEE
    proprietes.revision = 1
    document.save(str(chemin))
    figer_zip(chemin)
    pages["__pages__"] = page
    return pages
