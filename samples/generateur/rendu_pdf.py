"""Petit moteur de mise en page PDF sur le `canvas` bas niveau de reportlab.

On n'utilise pas platypus : il faut savoir, sans relire le PDF, sur quelle page tombe
chaque ligne de tableau et chaque paragraphe suivi (clé → page), et maîtriser les coupes
de tableau (en-tête répété ou absent) et les pages paysage tournées.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from .modele import Bloc, LigneTableau, Paragraphe, SautPage, SectionPaysage, Tableau, Titre
from .polices import Famille, famille, largeur
from .tableaux_pdf import GeometrieTableau, geometrie


def romain(n: int) -> str:
    """Chiffres romains pour les titres numérotés « I. », « XIV. »."""
    sortie = ""
    for valeur, signe in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= valeur:
            sortie, n = sortie + signe, n - valeur
    return sortie


@dataclass(frozen=True)
class StylePdf:
    police_texte: str = "DejaVuSans"
    police_titres: str = "DejaVuSans"
    taille: float = 10.0
    titres: str = "decimal"  # romain | decimal | majuscules | bandeau
    couleur: tuple[float, float, float] = (0.05, 0.25, 0.5)
    entete_courant: str = ""
    pied: str = "Page {n}"
    marge: float = 56.0


class MoteurPdf:
    """Écrit les blocs les uns après les autres et retient la page de chaque clé."""

    def __init__(self, chemin: Path, style: StylePdf, titre: str) -> None:
        self.style = style
        self.c = Canvas(str(chemin), pagesize=A4, invariant=1, pageCompression=1)
        self.c.setTitle(titre)
        self.c.setAuthor("Synthèse DSP – échantillons")
        self.c.setCreator("samples/generateur")
        self.texte: Famille = famille(style.police_texte)
        self.titres: Famille = famille(style.police_titres)
        self.pages: dict[str, int] = {}
        self.page = 0
        self.paysage = False
        self.compteurs = [0, 0, 0]
        self._ouvrir_page()

    # --- pages -------------------------------------------------------------------
    @property
    def largeur_page(self) -> float:
        return float(A4[1] if self.paysage else A4[0])

    @property
    def hauteur_page(self) -> float:
        return float(A4[0] if self.paysage else A4[1])

    @property
    def largeur_utile(self) -> float:
        return self.largeur_page - 2 * self.style.marge

    def _ouvrir_page(self) -> None:
        self.page += 1
        if self.paysage:
            # MediaBox portrait + /Rotate 90 : la page s'affiche en paysage. reportlab
            # échange largeur et hauteur de la MediaBox quand Rotate vaut 90, d'où la
            # taille « paysage » donnée ici. Le contenu est dessiné tourné d'un quart de
            # tour pour apparaître droit une fois la page affichée.
            self.c.setPageSize((A4[1], A4[0]))
            self.c.setPageRotation(90)
            self.c.translate(A4[0], 0)
            self.c.rotate(90)
        else:
            self.c.setPageSize(A4)
            self.c.setPageRotation(0)
        self.y = self.hauteur_page - self.style.marge
        if self.style.entete_courant and self.page > 1:
            self.c.setFont(self.texte.normal, 7.5)
            self.c.setFillGray(0.35)
            self.c.drawString(self.style.marge, self.hauteur_page - 32, self.style.entete_courant)
            self.c.setFillGray(0)

    def _fermer_page(self) -> None:
        if self.page > 1 and self.style.pied:
            self.c.setFont(self.texte.normal, 8)
            self.c.setFillGray(0.35)
            pied = self.style.pied.format(n=self.page)
            self.c.drawRightString(self.largeur_page - self.style.marge, 30, pied)
            self.c.setFillGray(0)
        self.c.showPage()

    def saut_de_page(self, paysage: bool | None = None) -> None:
        self._fermer_page()
        if paysage is not None:
            self.paysage = paysage
        self._ouvrir_page()

    def reste(self) -> float:
        return self.y - self.style.marge

    def _noter(self, cle: str | None) -> None:
        if cle:
            if cle in self.pages:
                raise ValueError(f"clé en double : {cle}")
            self.pages[cle] = self.page

    def terminer(self) -> None:
        self._fermer_page()
        self.c.save()

    # --- blocs -------------------------------------------------------------------
    def ecrire(self, blocs: list[Bloc]) -> None:
        for bloc in blocs:
            if isinstance(bloc, Titre):
                self.titre(bloc)
            elif isinstance(bloc, Paragraphe):
                self.paragraphe(bloc)
            elif isinstance(bloc, Tableau):
                self.tableau(bloc)
            elif isinstance(bloc, SautPage):
                self.saut_de_page()
            elif isinstance(bloc, SectionPaysage):
                self.saut_de_page(paysage=True)
                self.ecrire(bloc.blocs)
                self.saut_de_page(paysage=False)

    def _numero(self, niveau: int) -> str:
        self.compteurs[niveau - 1] += 1
        for i in range(niveau, 3):
            self.compteurs[i] = 0
        a, b, c = self.compteurs
        if self.style.titres == "romain":
            return {1: f"{romain(a)}. ", 2: f"{chr(64 + b)}) ", 3: f"{b}.{c} "}[niveau]
        if self.style.titres == "decimal":
            return {1: f"{a}. ", 2: f"{a}.{b} ", 3: f"{a}.{b}.{c} "}[niveau]
        return ""

    def titre(self, bloc: Titre) -> None:
        taille = self.style.taille + {1: 5, 2: 2.5, 3: 1}[bloc.niveau]
        if self.reste() < taille * 2 + self.style.taille * 6:
            self.saut_de_page()
        texte = self._numero(bloc.niveau) + bloc.texte
        if self.style.titres == "majuscules" and bloc.niveau == 1:
            texte = texte.upper()
        self.y -= taille * (1.6 if bloc.niveau == 1 else 1.1)
        if self.style.titres == "bandeau" and bloc.niveau == 1:
            self.c.setFillColorRGB(*self.style.couleur)
            self.c.rect(self.style.marge - 4, self.y - 5, self.largeur_utile + 8, taille + 9, 0, 1)
            self.c.setFillGray(1)
        elif self.style.titres == "bandeau":
            self.c.setFillColorRGB(*self.style.couleur)
        self.c.setFont(self.titres.gras, taille)
        self.c.drawString(self.style.marge, self.y, texte)
        self.c.setFillGray(0)
        self.y -= taille * 0.9
        self._noter(bloc.cle)

    def _couper(self, texte: str, police: str, taille: float, utile: float) -> list[str]:
        lignes: list[str] = []
        courante = ""
        for mot in texte.split(" "):
            essai = f"{courante} {mot}" if courante else mot
            if courante and largeur(essai, police, taille) > utile:
                lignes.append(courante)
                courante = mot
            else:
                courante = essai
        lignes.append(courante)
        return lignes

    def paragraphe(self, bloc: Paragraphe) -> None:
        taille = bloc.taille or self.style.taille
        interligne = taille * 1.35
        retrait = 14.0 if bloc.puce else 0.0
        police = self.texte.normal
        lignes = self._couper(bloc.texte, police, taille, self.largeur_utile - retrait)
        if bloc.cle and self.reste() < interligne * len(lignes):
            self.saut_de_page()  # un paragraphe suivi n'est jamais coupé : sa page est sûre
        self._noter(bloc.cle)
        for rang, ligne in enumerate(lignes):
            if self.reste() < interligne:
                self.saut_de_page()
            self.y -= interligne
            self.c.setFont(police, taille)
            if bloc.puce and rang == 0:
                self.c.drawString(self.style.marge + 3, self.y, "•")
            if bloc.centre:
                self.c.drawCentredString(self.largeur_page / 2, self.y, ligne)
            else:
                self.c.drawString(self.style.marge + retrait, self.y, ligne)
        self.y -= taille * 0.6

    # --- tableaux ----------------------------------------------------------------
    def tableau(self, bloc: Tableau) -> None:
        geo = geometrie(bloc, self.texte, self.style.taille, self.largeur_utile)
        besoin = geo.hauteur_ligne * (len(bloc.entetes) + min(3, len(bloc.lignes)) + 3)
        if self.reste() < besoin:
            self.saut_de_page()
        self._noter(bloc.cle)
        if bloc.titre:
            self.y -= self.style.taille * 1.5
            self.c.setFont(self.texte.gras, self.style.taille)
            self.c.drawString(self.style.marge, self.y, bloc.titre)
        if bloc.legende:
            self.y -= self.style.taille * 1.4
            self.c.setFont(self.texte.normal, self.style.taille - 1)
            self.c.drawRightString(self.style.marge + geo.largeur_totale, self.y, bloc.legende)
        self.y -= 4
        self._entetes(bloc, geo)
        for rang, ligne in enumerate(bloc.lignes):
            hauteur = geo.hauteur(ligne, self._police(ligne, ligne.gras))
            if self.reste() < hauteur:
                self._continuer(bloc, geo, repeter=bloc.coupe != "entete_absent")
            self._ligne(bloc, geo, ligne, gras=ligne.gras)
            if bloc.coupe_apres == rang and rang < len(bloc.lignes) - 1:
                self._continuer(bloc, geo, repeter=bloc.coupe != "entete_absent")
        self.y -= self.style.taille

    def _continuer(self, bloc: Tableau, geo: GeometrieTableau, repeter: bool) -> None:
        self.saut_de_page()
        if repeter:
            if bloc.titre:
                self.y -= self.style.taille * 1.5
                self.c.setFont(self.texte.gras, self.style.taille)
                self.c.drawString(self.style.marge, self.y, f"{bloc.titre} (suite)")
                self.y -= 4
            self._entetes(bloc, geo)

    def _entetes(self, bloc: Tableau, geo: GeometrieTableau) -> None:
        for cellules in bloc.entetes:
            self._ligne(bloc, geo, LigneTableau(cellules), gras=True, entete=True)
        if not bloc.regle:
            self.c.setLineWidth(0.6)
            x0 = self.style.marge
            self.c.line(x0, self.y - 2, x0 + geo.largeur_totale, self.y - 2)

    def _police(self, ligne: LigneTableau, gras: bool) -> str:
        return self.texte.gras if gras or ligne.intertitre else self.texte.normal

    def _ligne(
        self,
        bloc: Tableau,
        geo: GeometrieTableau,
        ligne: LigneTableau,
        gras: bool,
        entete: bool = False,
    ) -> None:
        police = self._police(ligne, gras)
        hauteur = geo.hauteur(ligne, police)
        haut = self.y
        self.y -= hauteur
        if entete and bloc.regle:
            self.c.setFillGray(0.88)
            self.c.rect(self.style.marge, self.y, geo.largeur_totale, hauteur, 0, 1)
            self.c.setFillGray(0)
        self.c.setFont(police, geo.taille)
        for x, texte, droite, lignes in geo.cellules(ligne, police):
            ybase = haut - geo.taille * 1.15
            for morceau in lignes if not droite else [texte]:
                if droite:
                    self.c.drawRightString(self.style.marge + x, ybase, morceau)
                else:
                    self.c.drawString(self.style.marge + x, ybase, morceau)
                ybase -= geo.taille * 1.2
        if bloc.regle:
            self._bordures(geo, haut, ligne.intertitre)
        self._noter(ligne.cle)

    def _bordures(self, geo: GeometrieTableau, haut: float, fusion: bool) -> None:
        self.c.setLineWidth(0.5)
        x0 = self.style.marge
        self.c.rect(x0, self.y, geo.largeur_totale, haut - self.y, 1, 0)
        if not fusion:
            for bord in geo.bords[1:-1]:
                self.c.line(x0 + bord, self.y, x0 + bord, haut)


def rendre_pdf(blocs: list[Bloc], chemin: Path, style: StylePdf, titre: str) -> dict[str, int]:
    """Écrit le PDF et rend la page (1-based) de chaque clé ; « __pages__ » = total."""
    moteur = MoteurPdf(chemin, style, titre)
    moteur.ecrire(blocs)
    moteur.terminer()
    pages = dict(moteur.pages)
    pages["__pages__"] = moteur.page
    return pages
