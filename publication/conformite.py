"""Documents de conformité (registre RGPD, notice d'usage de l'IA) : un même contenu
rendu en Markdown et en Word.

Le contenu est une liste de rubriques « intitulé → texte » par section, le format du
registre de la CNIL ; le Word est écrit avec python-docx (styles par défaut, titres et
tableau à deux colonnes), lisible et reconvertible par LibreOffice comme les fiches.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
from pydantic import BaseModel, ConfigDict

from socle.fichiers import ecrire_atomique


class Rubrique(BaseModel):
    model_config = ConfigDict(frozen=True)

    intitule: str
    texte: str


class Section(BaseModel):
    model_config = ConfigDict(frozen=True)

    titre: str
    rubriques: list[Rubrique]


class DocumentConformite(BaseModel):
    model_config = ConfigDict(frozen=True)

    titre: str
    chapeau: str
    sections: list[Section]

    def section(self, titre: str) -> Section:
        return next(s for s in self.sections if s.titre == titre)


def section(titre: str, *rubriques: tuple[str, str]) -> Section:
    """Une section de rubriques données par paires (intitulé, texte)."""
    return Section(titre=titre, rubriques=[Rubrique(intitule=i, texte=t) for i, t in rubriques])


def vers_markdown(document: DocumentConformite) -> str:
    lignes = [f"# {document.titre}", "", document.chapeau, ""]
    for section in document.sections:
        lignes += [f"## {section.titre}", ""]
        for rubrique in section.rubriques:
            lignes += [f"**{rubrique.intitule}.** {rubrique.texte}", ""]
    return "\n".join(lignes)


def vers_word(document: DocumentConformite) -> bytes:
    word = docx.Document()
    word.core_properties.title = document.titre
    word.core_properties.language = "fr-FR"
    word.add_heading(document.titre, 0)
    word.add_paragraph(document.chapeau)
    for section in document.sections:
        word.add_heading(section.titre, 1)
        table = word.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for rubrique in section.rubriques:
            gauche, droite = table.add_row().cells
            gauche.paragraphs[0].add_run(rubrique.intitule).bold = True
            droite.text = rubrique.texte
    flux = io.BytesIO()
    word.save(flux)
    return flux.getvalue()


def ecrire(document: DocumentConformite, dossier: Path, nom: str) -> list[Path]:
    """`<nom>.md` et `<nom>.docx` dans le dossier, écrits atomiquement."""
    dossier.mkdir(parents=True, exist_ok=True)
    markdown, word = dossier / f"{nom}.md", dossier / f"{nom}.docx"
    ecrire_atomique(markdown, vers_markdown(document))
    ecrire_atomique(word, vers_word(document))
    return [markdown, word]
