"""Repérage du texte adressé à une IA dans un rapport (injection d'instructions).

Catalogue `controles.md`, code `INSTRUCTIONS_SUSPECTES` (alerte) : un rapport n'a aucune
raison de donner des ordres à un outil d'IA. Le passage est signalé à l'agent dans tous
les modes ; en mode LLM il reste de toute façon dans la zone « document » balisée que
les consignes demandent d'ignorer en tant qu'instructions.
"""

from __future__ import annotations

import re
import unicodedata

from extracteurs.entetes import sans_accents
from extracteurs.modeles import Document, Ligne
from fiche.modeles import Anomalie, Gravite
from socle.traduction import TableMemorisee

CODE = "INSTRUCTIONS_SUSPECTES"
REGLE = "Sécurité : un rapport ne contient pas d'instructions destinées à une IA"

# Verbes « ignorer / oublier » et noms « instructions / consignes » en français, anglais,
# espagnol, italien, portugais, allemand et néerlandais (texte déjà sans accents).
_OUBLIER = (
    r"(?:ignor(?:e|ez|er|a|iere|ieren)|oubli(?:e|ez|er)|disregard|forget|override|"
    r"olvid[ae]|dimentica|esquec[ae]|vergiss|vergeet|negeer|bypass|contourn(?:e|ez))"
)
_CONSIGNES = (
    r"(?:instruc\w*|consign\w*|regle\w*|rules?|prompts?|directiv\w*|reglas?|regeln?|regole|"
    r"regras?|istruzion\w*|anweisung\w*|vorgab\w*|instructi\w*|ce qui precede|"
    r"tout ce qui precede|everything above)"
)
_IA = (
    r"(?:ia|ai|ki|llm|gpt\w*|chatgpt|chatbot|intelligence artificielle|"
    r"artificial intelligence|inteligencia artificial|intelligenza artificiale|"
    r"kunstliche intelligenz|(?:large )?language model|modele de langage|"
    r"modelo de lenguaje|modello linguistico|sprachmodell)"
)
_ROLE = rf"(?:{_IA}|assistant\w*|modele|model|modelo|modello)"
_MOTIFS = [
    rf"\b{_OUBLIER}\b.{{0,60}}\b{_CONSIGNES}",
    r"\b(?:reponds|repondez|respond|answer|reply|responde|rispondi|antworte)\b.{0,30}"
    r"\b(?:que|that|with|only|solo|nur)\b",
    r"\b(?:tu es|vous etes|agis|agissez|you are|act as|pretend|eres|sei|du bist)\b"
    rf".{{0,30}}\b{_ROLE}\b",
    r"\b(?:system prompt|prompt systeme|jailbreak|developer mode|mode developpeur)\b",
    rf"\b(?:en tant qu'|as an?|como|als) {_ROLE}\b",
    rf"\b(?:a l'attention|destine) (?:de l'|a l'|aux?|de la|du) (?:outils? d'|{_IA}\b)",
    rf"\b(?:note|message|instructions?|attention|hinweis|nota|nachricht) "
    rf"(?:to|for|an|para|per|fur) (?:the |any |die |el |la |l'|gli |all )?{_IA}\b",
]
_RE = re.compile("|".join(f"(?:{m})" for m in _MOTIFS), re.IGNORECASE)

# Caractères qui ressemblent à des lettres latines (cyrillique, grec) : un mot piégé les
# mêle aux vraies lettres pour échapper à une recherche de mots.
_HOMOGLYPHES = str.maketrans(
    "аеорсухіјѕԁɡӏАВЕКМНОРСТХІЈЅαεορτυνκιΑΒΕΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdglABEKMHOPCTXIJSaeoptuvkiABEHIKMNOPTYX",
)


def _lisible(caractere: str) -> str | None:
    """Caractère de format (catégorie Cf : largeur nulle, césure conditionnelle, marques de
    direction) retiré, homoglyphe remplacé, tout autre caractère gardé. Les homoglyphes
    ne sont pas de catégorie Cf : une seule passe vaut les deux."""
    if unicodedata.category(caractere) == "Cf":
        return None
    return caractere.translate(_HOMOGLYPHES)


_TABLE_LISIBLE = TableMemorisee(_lisible)
_LETTRES_ESPACEES = re.compile(r"\b(?:\w[ .\-_·*]){3,}\w\b")


def _recoller(fragment: re.Match[str]) -> str:
    return re.sub(r"[ .\-_·*]", "", fragment.group(0))


def normaliser(texte: str) -> str:
    """Le texte tel qu'un lecteur le comprend : formes de compatibilité ramenées
    (pleine chasse, ligatures), caractères invisibles (largeur nulle, césure
    conditionnelle, marques de direction) retirés, homoglyphes remplacés, lettres
    espacées (« i g n o r e ») recollées, sans accents, en minuscules."""
    texte = unicodedata.normalize("NFKC", texte).translate(_TABLE_LISIBLE)
    texte = _LETTRES_ESPACEES.sub(_recoller, texte)
    return sans_accents(texte).lower()


def lignes_suspectes(document: Document) -> list[Ligne]:
    """Les lignes adressées à une IA ; une phrase coupée en fin de ligne est lue avec la
    ligne suivante de la même page (la première des deux est citée)."""
    suspectes: list[Ligne] = []
    for page in document.pages:
        seules = [bool(_RE.search(normaliser(ligne.texte))) for ligne in page.lignes]
        for rang, ligne in enumerate(page.lignes):
            suite = page.lignes[rang + 1].texte if rang + 1 < len(page.lignes) else ""
            coupee = not (rang + 1 < len(seules) and seules[rang + 1]) and bool(
                _RE.search(normaliser(f"{ligne.texte} {suite}"))
            )
            if seules[rang] or coupee:
                suspectes.append(ligne)
    return suspectes


def detecter_instructions(document: Document) -> list[Anomalie]:
    """Une anomalie par page portant un texte adressé à une IA, avec la citation."""
    par_page: dict[int, list[Ligne]] = {}
    for ligne in lignes_suspectes(document):
        par_page.setdefault(ligne.page, []).append(ligne)
    return [
        Anomalie(
            code=CODE,
            gravite=Gravite.ALERTE,
            message=(
                f"Le rapport contient, page {page}, un texte qui s'adresse à un outil "
                f"d'intelligence artificielle (« {lignes[0].texte.strip()[:160]} »). Il n'a "
                "pas été suivi ; vérifiez la fiche à la main et signalez ce passage au "
                "délégataire."
            ),
            champs=[],
            pages=[page],
            regle=REGLE,
        )
        for page, lignes in sorted(par_page.items())
    ]
