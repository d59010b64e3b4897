"""Outils de mise en page des gabarits Word (python-docx) : styles, tableaux à balises
docxtpl, filigrane du brouillon, pied de page numéroté. Employés par `construire.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentWord
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

DOSSIER = Path(__file__).resolve().parent
POLICE = "Arial"  # LibreOffice la remplace par Liberation Sans, de mêmes métriques
BLEU = RGBColor(0x1F, 0x38, 0x64)
GRIS = RGBColor(0x55, 0x55, 0x55)
FOND_ENTETE = "DCE6F2"
LARGEUR_UTILE = 17.4  # cm : A4 moins deux marges de 1,8 cm

Morceau = str | tuple[str, bool]
"""Un morceau de paragraphe : du texte, ou (texte, gras)."""


# --- Document, styles, mise en page ------------------------------------------------------


def police(element: Any, nom: str = POLICE) -> None:
    """Police explicite : les attributs de thème de Word l'emporteraient sur `font.name`."""
    rpr = element.get_or_add_rPr()
    polices = rpr.find(qn("w:rFonts"))
    if polices is None:
        polices = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        rpr.insert(0, polices)
    for attribut in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        polices.attrib.pop(qn(f"w:{attribut}"), None)
    for attribut in ("ascii", "hAnsi", "cs", "eastAsia"):
        polices.set(qn(f"w:{attribut}"), nom)


def style(
    doc: DocumentWord,
    nom: str,
    taille: float,
    *,
    gras: bool = False,
    couleur: RGBColor | None = None,
) -> None:
    s = doc.styles[nom]
    police(s.element)
    s.font.size, s.font.bold = Pt(taille), gras
    s.font.color.rgb = couleur or RGBColor(0, 0, 0)


def nouveau_style(doc: DocumentWord, nom: str, taille: float, *, droite: bool = False) -> None:
    s = doc.styles.add_style(nom, 1)  # 1 : style de paragraphe
    s.base_style = doc.styles["Normal"]
    s.font.size = Pt(taille)
    s.paragraph_format.space_after = Pt(0)
    s.paragraph_format.space_before = Pt(0)
    if droite:
        s.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def document() -> DocumentWord:
    """A4, marges de 1,8 cm, Arial ; les mêmes styles dans les deux gabarits (la fiche
    insérée dans le rapport CCSPL garde ainsi son apparence)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for marge in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, marge, Cm(1.8))
    section.header_distance = section.footer_distance = Cm(0.8)
    style(doc, "Normal", 9.5)
    doc.styles["Normal"].paragraph_format.space_after = Pt(3)
    style(doc, "Title", 16, gras=True, couleur=BLEU)
    style(doc, "Heading 1", 12, gras=True, couleur=BLEU)
    style(doc, "Heading 2", 10.5, gras=True, couleur=BLEU)
    style(doc, "List Bullet", 9.5)
    for titre in ("Heading 1", "Heading 2"):
        doc.styles[titre].paragraph_format.space_before = Pt(9)
        doc.styles[titre].paragraph_format.space_after = Pt(3)
    nouveau_style(doc, "Cellule", 8.5)
    nouveau_style(doc, "Cellule chiffre", 8.5, droite=True)
    nouveau_style(doc, "Pied de fiche", 8)
    doc.styles["Pied de fiche"].font.color.rgb = GRIS
    return doc


def paragraphe(
    conteneur: Any,
    morceaux: Sequence[Morceau],
    nom_style: str = "Normal",
    alignement: WD_ALIGN_PARAGRAPH | None = None,
) -> Paragraph:
    """Un paragraphe du document, d'une cellule, d'un en-tête ou d'un pied de page ; chaque
    balise docxtpl tient dans un seul morceau (un seul run)."""
    p: Paragraph = conteneur.add_paragraph(style=nom_style)
    for morceau in morceaux:
        texte, gras = (morceau, False) if isinstance(morceau, str) else morceau
        p.add_run(texte).bold = gras
    if alignement is not None:
        p.alignment = alignement
    return p


def balise(doc: Any, texte: str) -> None:
    """Paragraphe qui ne porte qu'une balise `{%p … %}` (docxtpl le retire au rendu)."""
    paragraphe(doc, [texte])


def champ_page(p: Paragraph, instruction: str) -> None:
    """Numéro de page (PAGE, NUMPAGES) calculé par Word ou LibreOffice à l'affichage."""
    p._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr=" {instruction} ">'
            "<w:r><w:t>1</w:t></w:r></w:fldSimple>"
        )
    )


# --- Tableaux ----------------------------------------------------------------------------


def ombrer(cellule: _Cell) -> None:
    cellule._tc.get_or_add_tcPr().append(
        parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{FOND_ENTETE}"/>')
    )


def remplir(cellule: _Cell, texte: str, *, gras: bool = False, droite: bool = False) -> None:
    p = cellule.paragraphs[0]
    p.style = cellule.part.document.styles["Cellule chiffre" if droite else "Cellule"]
    if texte:
        p.add_run(texte).bold = gras


def tableau(
    doc: DocumentWord,
    entetes: Sequence[str],
    largeurs: Sequence[float],
    droite: Sequence[int] = (),
) -> Table:
    """Tableau à en-tête ombré, répété en haut de page si le tableau se coupe."""
    table = doc.add_table(rows=1, cols=len(entetes))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    ligne = table.rows[0]
    ligne._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    for rang, (cellule, texte) in enumerate(zip(ligne.cells, entetes, strict=True)):
        remplir(cellule, texte, gras=True, droite=rang in droite)
        ombrer(cellule)
    fixer_largeurs(table, largeurs)
    return table


def ligne_simple(
    table: Table, cellules: Sequence[str], droite: Sequence[int] = (), gras: bool = False
) -> None:
    ligne = table.add_row()
    for rang, (cellule, texte) in enumerate(zip(ligne.cells, cellules, strict=True)):
        remplir(cellule, texte, droite=rang in droite, gras=gras)


def boucle(table: Table, debut: str, cellules: Sequence[str], droite: Sequence[int] = ()) -> None:
    """`{%tr for … %}`, la ligne répétée, `{%tr endfor %}` : chaque balise seule dans sa ligne."""
    vide = [""] * (len(cellules) - 1)
    ligne_simple(table, [f"{{%tr {debut} %}}", *vide])
    ligne_simple(table, cellules, droite)
    ligne_simple(table, ["{%tr endfor %}", *vide])


def fixer_largeurs(table: Table, largeurs: Sequence[float]) -> None:
    """Largeur de chaque cellule : Word la lit par cellule, à refaire après chaque ajout."""
    assert abs(sum(largeurs) - LARGEUR_UTILE) < 0.05, largeurs
    for colonne, largeur in zip(table.columns, largeurs, strict=True):
        colonne.width = Cm(largeur)  # la grille, que LibreOffice lit
    for ligne in table.rows:
        for cellule, largeur in zip(ligne.cells, largeurs, strict=True):
            cellule.width = Cm(largeur)


# --- Filigrane ---------------------------------------------------------------------------

FILIGRANE_VML = """<w:r {ns} xmlns:v="urn:schemas-microsoft-com:vml"
 xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:w10="urn:schemas-microsoft-com:office:word"><w:rPr><w:noProof/></w:rPr><w:pict>
<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"
 path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas><v:f eqn="sum #0 0 10800"/>
<v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/>
<v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/>
<v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/>
<v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/></v:formulas>
<v:path textpathok="t" o:connecttype="custom"
 o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>
<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>
<v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s2049" type="#_x0000_t136"
 style="position:absolute;margin-left:0;margin-top:0;width:470pt;height:78pt;rotation:315;
z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;
mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f"
 fillcolor="#c00000" stroked="f"><v:fill opacity=".35"/>
<v:textpath style="font-family:&quot;Arial&quot;;font-size:1pt" string="{{{{ filigrane }}}}"/>
<w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>"""
"""Le filigrane que Word pose par « Création > Filigrane » (forme VML derrière le texte,
répétée sur chaque page par l'en-tête) ; LibreOffice l'affiche aussi."""


def entete(doc: DocumentWord, texte: str) -> None:
    """En-tête : sur un brouillon seulement, filigrane diagonal et mention en rouge ; puis
    `texte`, toujours présent (Word refuse un en-tête sans paragraphe)."""
    entete = doc.sections[0].header
    entete.is_linked_to_previous = False
    premier = entete.paragraphs[0]
    premier.add_run("{%p if brouillon %}")
    p = paragraphe(entete, [("{{ filigrane }}", True)], alignement=WD_ALIGN_PARAGRAPH.CENTER)
    p.runs[0].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    p._p.append(parse_xml(FILIGRANE_VML.format(ns=nsdecls("w"))))
    balise(entete, "{%p endif %}")
    paragraphe(entete, [texte], "Pied de fiche", WD_ALIGN_PARAGRAPH.RIGHT)


def pied(doc: DocumentWord, textes: Sequence[str]) -> None:
    """Pied de page : les textes donnés puis « Page n sur N »."""
    bas = doc.sections[0].footer
    bas.is_linked_to_previous = False
    premier = bas.paragraphs[0]
    premier.style = doc.styles["Pied de fiche"]
    premier.add_run(textes[0])
    for texte in textes[1:]:
        paragraphe(bas, [texte], "Pied de fiche")
    numero = paragraphe(bas, ["Page "], "Pied de fiche", WD_ALIGN_PARAGRAPH.RIGHT)
    champ_page(numero, "PAGE")
    numero.add_run(" sur ")
    champ_page(numero, "NUMPAGES")
