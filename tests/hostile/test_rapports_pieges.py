"""Rapports lisibles mais piégés : la fiche est produite (mode règles, contrôles compris),
juste là où le rapport l'est, et les anomalies disent à l'agent ce qui ne va pas."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from extracteurs.document import empreinte
from fiche.modeles import Ancrage, Fiche, Gravite
from socle.reglages import Reglages
from tests.hostile import briques as b
from tests.hostile.generer import COTE_IMAGE_GEANTE, INJONCTION, OBJET_BALISE, SCRIPT
from tests.hostile.parcours import CorpusHostile, fiche_controlee, par_code


def _postes_n(fiche: Fiche) -> dict[str, float | None]:
    """Les postes du CARE généré, lus pour l'exercice de la fiche."""
    n = str(fiche.identification.exercice.valeur)
    postes = fiche.financier.postes
    return {p: postes[p][n].valeur if n in postes.get(p, {}) else None for p in b.POSTES_N}


def test_pages_tournees_lues_droites(corpus: CorpusHostile, tmp_path: Path) -> None:
    """/Rotate 90, 180 (le CARE, tête en bas) et 270 : chaque page est redressée."""
    document, fiche = fiche_controlee(corpus.fichier("pages_tournees"), Reglages(data_dir=tmp_path))
    assert [p.rotation for p in document.pages] == [90, 180, 270]
    assert document.pages[1].lignes[0].texte.startswith("Compte annuel de résultat")
    assert _postes_n(fiche) == b.POSTES_N
    assert fiche.identification.objet.valeur == b.OBJET
    assert all(c.ancrage == Ancrage.EXACT for c in fiche.financier.postes["resultat"].values())


def test_balisage_et_script_restent_du_texte(corpus: CorpusHostile, tmp_path: Path) -> None:
    """Le balisage est une donnée : gardé tel quel (ni interprété ni retiré), l'échappement
    revient à l'affichage (application de revue, gabarits Word)."""
    _, fiche = fiche_controlee(corpus.fichier("balises_pdf"), Reglages(data_dir=tmp_path))
    objet = fiche.identification.objet
    assert (objet.valeur, objet.citation, objet.ancrage) == (
        OBJET_BALISE,
        OBJET_BALISE,
        Ancrage.EXACT,
    )
    relue = json.loads(fiche.vers_json())
    assert relue["identification"]["objet"]["valeur"] == OBJET_BALISE
    assert _postes_n(fiche) == b.POSTES_N
    assert not par_code(fiche, "INSTRUCTIONS_SUSPECTES")


def test_html_scripts_ignores_texte_echappe_garde(corpus: CorpusHostile, tmp_path: Path) -> None:
    document, fiche = fiche_controlee(corpus.fichier("html_script"), Reglages(data_dir=tmp_path))
    texte = "\n".join(ligne.texte for ligne in document.lignes())
    assert SCRIPT not in texte and "document.cookie" not in texte  # éléments <script> actifs
    assert fiche.identification.objet.valeur == f"{b.OBJET} <script>alert('objet')</script>"
    assert _postes_n(fiche) == b.POSTES_N


def test_texte_adresse_a_une_ia_signale_et_non_suivi(corpus: CorpusHostile, tmp_path: Path) -> None:
    _, fiche = fiche_controlee(corpus.fichier("adresse_ia"), Reglages(data_dir=tmp_path))
    (alerte,) = par_code(fiche, "INSTRUCTIONS_SUSPECTES")
    assert (alerte.gravite, alerte.pages) == (Gravite.ALERTE, [1])
    assert INJONCTION[:60] in alerte.message
    # Le chiffre soufflé n'entre pas dans la fiche ; le récit qui le porte est contredit.
    assert _postes_n(fiche) == b.POSTES_N
    (contradiction,) = par_code(fiche, "TEXTE_TABLEAU")
    assert "9 999 999" in contradiction.message


def test_rapport_d_un_autre_exercice(corpus: CorpusHostile, tmp_path: Path) -> None:
    """Exercice 2017 pour un contrat pris d'effet en 2019 : DATES bloquant."""
    _, fiche = fiche_controlee(corpus.fichier("mauvais_exercice"), Reglages(data_dir=tmp_path))
    assert fiche.identification.exercice.valeur == 2017
    (dates,) = par_code(fiche, "DATES")
    assert dates.gravite == Gravite.BLOQUANT
    assert dates.champs == ["identification.exercice", "identification.date_debut"]
    assert "exercice 2017, antérieur à la prise d'effet" in dates.message


def test_meme_fichier_sous_deux_noms(corpus: CorpusHostile, tmp_path: Path) -> None:
    """Même contenu, même empreinte sha256 : c'est elle qui dédoublonne le lot (flows) ;
    à ce niveau, les deux lectures ne diffèrent que par le nom."""
    premier, second = corpus.fichiers("meme_fichier_deux_noms")
    assert premier.name != second.name and empreinte(premier) == empreinte(second)
    reglages = Reglages(data_dir=tmp_path)
    doc_1, fiche_1 = fiche_controlee(premier, reglages)
    doc_2, fiche_2 = fiche_controlee(second, reglages)
    assert doc_1.sha256 == doc_2.sha256 == empreinte(premier)
    variables = {"fichier", "duree_s", "cpu_s"}
    assert doc_1.model_dump(exclude=variables) == doc_2.model_dump(exclude=variables)
    hors_source = {"source", "production"}
    assert fiche_1.model_dump(exclude=hors_source) == fiche_2.model_dump(exclude=hors_source)


def test_rapport_sans_care(corpus: CorpusHostile, tmp_path: Path) -> None:
    _, fiche = fiche_controlee(corpus.fichier("sans_care"), Reglages(data_dir=tmp_path))
    assert fiche.conformite["care"].present is False
    assert fiche.financier.postes == {}
    assert any(a.champs == ["conformite.care"] for a in par_code(fiche, "COMPLETUDE"))
    manquants = {c for a in par_code(fiche, "CHAMP_MANQUANT") for c in a.champs}
    assert {f"financier.postes.{p}.{b.EXERCICE}" for p in b.POSTES_N} <= manquants


def test_cinq_cents_pages_lues(corpus: CorpusHostile, tmp_path: Path) -> None:
    """500 pages sous la limite de 600 : tout est lu, en temps et mémoire bornés (camelot lit
    une copie de la page seule, pas le fichier entier à chaque page)."""
    debut = time.perf_counter()
    document, fiche = fiche_controlee(
        corpus.fichier("cinq_cents_pages"), Reglages(data_dir=tmp_path)
    )
    assert len(document.pages) == 500 and all(p.lignes for p in document.pages)
    assert _postes_n(fiche) == b.POSTES_N
    assert time.perf_counter() - debut < 120


# Pic de mémoire du processus lu dans VmHWM : `ru_maxrss` survit à execve (Linux) et
# compterait la mémoire de pytest, dont le processus de mesure est issu.
MESURE = """
import json, re, sys
from pathlib import Path
from extracteurs.document import extraire
document = extraire(Path(sys.argv[1]))
statut = Path("/proc/self/status").read_text()
print(json.dumps({
    "avertissements": document.avertissements,
    "lignes": [len(p.lignes) for p in document.pages],
    "max_rss_mo": int(re.search(r"VmHWM:\\s+(\\d+) kB", statut).group(1)) // 1024,
}))
"""


def test_image_geante_non_decodee_memoire_bornee(corpus: CorpusHostile) -> None:
    """Image de 625 Mpx (625 Mo en gris) : la page est signalée sans être décodée, la
    première page est lue. Processus à part pour mesurer son pic de mémoire (sans la
    garde : plus de 900 Mo et 9 s)."""
    fichier = corpus.fichier("image_geante")
    mesure = subprocess.run(
        [sys.executable, "-c", MESURE, str(fichier)], capture_output=True, text=True, check=True
    )
    resultat = json.loads(mesure.stdout.strip().splitlines()[-1])
    mpx = COTE_IMAGE_GEANTE**2 // 1_000_000
    assert resultat["avertissements"] == [
        f"Page 2 : image de {mpx} Mpx, au-delà de la limite de 100 Mpx "
        "(DSP_MAX_PIXELS_IMAGE) : page non lue."
    ]
    assert resultat["lignes"][0] > 0 and resultat["lignes"][1] == 0
    assert resultat["max_rss_mo"] < 450
