"""Le rédacteur : accumule les blocs d'un rapport et, en même temps, les faits d'or.

Chaque valeur destinée à la fiche d'or est enregistrée au moment où son texte est écrit
dans un bloc ; on vérifie alors que la citation figure bien, telle quelle, dans ce bloc.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .care import BlocCare, ReglagesCare, imprimer, postes_depuis_lignes
from .modele import (
    Bloc,
    ChampTexte,
    LigneTableau,
    Mesure,
    Paragraphe,
    Rapport,
    SautPage,
    SectionPaysage,
    Tableau,
    Titre,
    Valeur,
)
from .nombres_fr import ecrire_decimal


@dataclass
class MesureDef:
    """Une ligne de tableau de mesures ; `role` dit si l'or la reprend et où."""

    libelle: str
    unite: str | None
    valeurs: dict[str, float]
    decimales: int = 0
    role: str | None = None  # "indicateur" | "tarif" | "effectif" | None (distracteur)
    libelle_imprime: str | None = None
    suffixe: str = ""


@dataclass
class Redacteur:
    rapport: Rapport
    rng: random.Random
    compteur: int = 0
    saut_chapitre: bool = False
    pile: list[list[Bloc]] = field(default_factory=list)

    def cle(self, prefixe: str) -> str:
        self.compteur += 1
        return f"{prefixe}-{self.compteur}"

    def ajouter(self, bloc: Bloc) -> None:
        (self.pile[-1] if self.pile else self.rapport.blocs).append(bloc)

    def paysage_debut(self) -> None:
        self.pile.append([])

    def paysage_fin(self) -> None:
        self.ajouter(SectionPaysage(self.pile.pop()))

    def titre(self, texte: str, niveau: int = 1, element: str | None = None) -> str:
        blocs = self.pile[-1] if self.pile else self.rapport.blocs
        if self.saut_chapitre and niveau == 1 and blocs and not isinstance(blocs[-1], SautPage):
            self.saut()
        cle = self.cle("titre")
        self.ajouter(Titre(texte, niveau, cle))
        if element:
            self.rapport.conformite[element] = cle
        return cle

    def para(self, texte: str, **options: object) -> str:
        cle = self.cle("para")
        self.ajouter(Paragraphe(texte, cle=cle, **options))  # type: ignore[arg-type]
        return cle

    def saut(self) -> None:
        self.ajouter(SautPage())

    def identite(
        self, champ: str, valeur: object, citation: str, cle: str, texte: str, calcule: bool = False
    ) -> None:
        if citation not in texte:
            raise ValueError(f"citation absente du bloc : {citation!r}")
        self.rapport.identification[champ] = ChampTexte(valeur, citation, cle, calcule)

    def para_identite(self, texte: str, champs: dict[str, tuple[object, str]]) -> str:
        """Un paragraphe qui porte un ou plusieurs champs d'identification."""
        cle = self.para(texte)
        for champ, (valeur, citation) in champs.items():
            # « date_fin~ » : valeur déduite (début + durée), imprimée nulle part telle quelle.
            nom = champ.rstrip("~")
            self.identite(nom, valeur, citation, cle, texte, calcule=champ.endswith("~"))
        return cle

    def fait_marquant(self, phrase: str) -> None:
        cle = self.para(phrase, puce=True)
        self.rapport.faits_marquants.append((phrase, cle))

    def mesures(
        self,
        titre: str | None,
        annees: list[str],
        entetes: list[str],
        lignes: list[MesureDef],
        *,
        regle: bool = True,
        legende: str | None = None,
        premiere: str = "",
    ) -> Tableau:
        """Tableau de mesures (indicateurs, tarifs, effectifs) et son or."""
        tableau = Tableau([[premiere, *entetes]], [], regle=regle, titre=titre, legende=legende)
        tableau.cle = self.cle("mesures")
        for m in lignes:
            cle = self.cle("mesure")
            textes = {a: ecrire_decimal(m.valeurs[a], m.decimales) + m.suffixe for a in annees}
            libelle = m.libelle_imprime or m.libelle
            tableau.lignes.append(LigneTableau([libelle, *textes.values()], cle=cle))
            valeurs = {a: Valeur(round(m.valeurs[a], m.decimales), textes[a], cle) for a in annees}
            if m.role == "indicateur":
                self.rapport.indicateurs.append(Mesure(m.libelle, m.unite, valeurs))
            elif m.role == "tarif":
                self.rapport.tarifs.append(Mesure(m.libelle, m.unite, valeurs))
            elif m.role == "effectif":
                self.rapport.effectif = valeurs
        self.ajouter(tableau)
        return tableau

    def tableau_texte(
        self, entetes: list[str], lignes: list[list[str]], regle: bool = True, **options: object
    ) -> Tableau:
        """Tableau de texte ou distracteur (inventaire, liste) : rien dans l'or."""
        tableau = Tableau(
            [entetes] if entetes else [],
            [LigneTableau(lg) for lg in lignes],
            regle=regle,
            cle=self.cle("tableau"),
            **options,  # type: ignore[arg-type]
        )
        self.ajouter(tableau)
        return tableau

    def care(self, blocs: list[BlocCare], reglages: ReglagesCare) -> Tableau:
        tableau, ors = imprimer(blocs, reglages, self.cle("care"))
        self.rapport.lignes.extend(ors)
        for poste, valeurs in postes_depuis_lignes(ors).items():
            self.rapport.postes.setdefault(poste, {}).update(valeurs)
        self.ajouter(tableau)
        return tableau
