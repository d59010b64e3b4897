"""Commandes `dsp traiter` et `dsp evaluer` : fiches de synthèse et leur évaluation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli.affichage import barre, console, erreurs, pourcent
from socle.erreurs import DspError
from socle.fichiers import ecrire_atomique

if TYPE_CHECKING:
    from extracteurs.modeles import Document
    from fiche.evaluation_dossier import RapportEvaluation
    from fiche.modeles import Fiche
    from fiche.remplissage import Mode
    from socle.reglages import Reglages
    from stockage.depot import Depot

# Les modules lourds (contrôles, lecteurs PDF, modèles pydantic, Word, réglages, base) sont
# importés dans les fonctions qui s'en servent : `dsp --help` ne les charge pas.


def annoncer_mode(mode: Mode, r: Reglages) -> None:
    from fiche.production import mode_effectif

    effectif = mode_effectif(mode, r)
    if effectif == "llm":
        console.print(
            f"Mode : [bold]LLM[/bold] (modèle {r.llm_model} sur {r.llm_base_url})"
            + (", double lecture par règles" if mode == "auto" else "")
        )
    elif mode == "auto":
        console.print(
            "Mode : [bold]règles[/bold] (extraction déterministe) — aucun LLM "
            "configuré (DSP_LLM_BASE_URL et DSP_LLM_MODEL absents)."
        )
    else:
        console.print("Mode : [bold]règles[/bold] (extraction déterministe).")


def montant(fiche: Fiche, poste: str) -> str:
    from controles.commun import euros

    annee = fiche.identification.exercice.valeur
    champ = fiche.financier.postes.get(poste, {}).get(str(annee)) if annee else None
    if champ is None or champ.valeur is None:
        return "—"
    return euros(float(round(champ.valeur)))


def historique_valide(fiche: Fiche, depot: Depot, dossier: Path | None) -> list[Fiche]:
    """Les fiches validées du même contrat pour un exercice antérieur : celles de la base,
    et celles d'un dossier de fiches validées (`--historique`) s'il est donné. Une fiche
    produite mais non relue n'en fait jamais partie (elle peut porter l'erreur même que
    EXERCICE_PRECEDENT doit révéler)."""
    from controles import charger_historique
    from controles.historique import historique_du_contrat
    from stockage.historique import charger_historique as stockage_historique

    anciennes = stockage_historique(depot, fiche)
    if dossier is not None:
        anciennes = historique_du_contrat(fiche, [*anciennes, *charger_historique(dossier, fiche)])
    return anciennes


def controler_et_ecrire(
    fiche: Fiche, document: Document, r: Reglages, anciennes: list[Fiche], cible: Path
) -> Fiche:
    """Contrôles de cohérence (historique déjà choisi) puis écriture de la fiche."""
    from controles import controler

    fiche = controler(fiche, document, r, anciennes)
    ecrire_atomique(cible, fiche.vers_json())
    return fiche


def base_de_l_historique() -> Depot:
    """La base des fiches validées ; `DspError` en français si elle est injoignable."""
    from stockage.depot import Depot

    return Depot()


def ecrire_brouillon(fiche: Fiche, cible: Path) -> str:
    """Le brouillon Word (filigrane « PROJET ») à côté du JSON ; son échec n'annule pas la
    fiche JSON, déjà écrite : il est signalé et l'état de la ligne le dit."""
    from publication import rendre_fiche

    try:
        rendre_fiche(fiche, cible, brouillon=True)
    except DspError as exc:
        erreurs.print(f"[yellow]Brouillon Word non écrit pour {cible.name} : {exc}[/yellow]")
        return "[yellow]écrite (sans Word)[/yellow]"
    return "[green]écrite[/green]"


def rapports_a_traiter(chemins: list[Path]) -> list[Path]:
    """Les rapports désignés : un fichier tel quel, un dossier pour ses rapports (PDF et
    annexes bureautiques, par nom) ; un dossier sans rapport est une erreur d'usage."""
    from extracteurs.formats import FORMATS_ACCEPTES

    rapports: list[Path] = []
    for chemin in chemins:
        if not chemin.is_dir():
            rapports.append(chemin)
            continue
        contenus = sorted(
            p for p in chemin.iterdir() if p.is_file() and p.suffix.lower() in FORMATS_ACCEPTES
        )
        if not contenus:
            formats = ", ".join(sorted(FORMATS_ACCEPTES))
            raise DspError(f"Le dossier {chemin} ne contient aucun rapport ({formats}).")
        rapports += contenus
    return rapports


def lire_isole(fichier: Path, r: Reglages) -> Document:
    """Le `Document` du fichier, lu dans un processus de travail (`flows.isolement`) : un
    plantage natif sur un fichier piégé ne fait échouer que lui, le lot continue."""
    # Importé ici : le paquet `flows` prépare l'environnement Prefect (dossier compris) à
    # son import, ce que `dsp --help` n'a pas à faire.
    from flows.isolement import document_isole

    return document_isole(fichier, r)


def _produire_et_ecrire(
    fichier: Path, mode: str, r: Reglages, depot: Depot, historique: Path | None, sortie: Path
) -> Fiche:
    from fiche.production import produire_fiche

    document = lire_isole(fichier, r)
    diagnostic = sortie / f"{fichier.stem}.diagnostic-llm.json"
    fiche = produire_fiche(document, mode, r, diagnostic)  # type: ignore[arg-type]
    anciennes = historique_valide(fiche, depot, historique)
    return controler_et_ecrire(fiche, document, r, anciennes, sortie / f"{fichier.stem}.fiche.json")


def traiter(
    fichiers: Annotated[list[Path], typer.Argument(help="Rapports à traiter (PDF, DOCX, XLSX…)")],
    sortie: Annotated[Path, typer.Option("--sortie", help="Dossier des fiches <nom>.fiche.json")],
    mode: Annotated[str, typer.Option("--mode", help="regles, llm ou auto (défaut)")] = "auto",
    historique: Annotated[
        Path | None,
        typer.Option(
            "--historique",
            help="Dossier de fiches validées des exercices précédents, en plus de celles "
            "de la base",
        ),
    ] = None,
) -> None:
    """Produit la fiche de synthèse de chaque rapport (JSON du contrat fiche-dsp/1), avec
    les contrôles de cohérence (anomalies), et son brouillon Word (<nom>.fiche.docx)."""
    if mode not in ("regles", "llm", "auto"):
        erreurs.print(f"[red]Mode inconnu « {mode} » : choisir regles, llm ou auto.[/red]")
        raise typer.Exit(2)
    from socle.reglages import reglages

    r = reglages()
    try:
        annoncer_mode(mode, r)  # type: ignore[arg-type]
        depot = base_de_l_historique()
    except DspError as exc:
        erreurs.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    try:
        fichiers = rapports_a_traiter(fichiers)
    except DspError as exc:
        erreurs.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    bilan = Table(title="Fiches de synthèse")
    bilan.add_column("Rapport", no_wrap=True)
    for colonne in ("Mode", "CA N", "Résultat N", "Anomalies", "État"):
        bilan.add_column(colonne)
    echecs = 0
    replis: list[str] = []
    with barre() as progression:
        tache = progression.add_task("Traitement des rapports", total=len(fichiers))
        for fichier in fichiers:
            progression.update(tache, description=f"Traitement : {fichier.name}")
            try:
                fiche = _produire_et_ecrire(fichier, mode, r, depot, historique, sortie)
            except DspError as exc:
                echecs += 1
                erreurs.print(f"[red]Échec pour {fichier.name} : {exc.message}[/red]")
                bilan.add_row(fichier.name, "", "", "", "", "[red]erreur[/red]")
                continue
            finally:
                progression.advance(tache)
            if mode != "regles" and r.llm_configure and fiche.production.mode == "regles":
                replis.append(f"{fichier.name} : {fiche.production.note}")
            bilan.add_row(
                fichier.name,
                fiche.production.mode,
                montant(fiche, "chiffre_affaires"),
                montant(fiche, "resultat"),
                str(len(fiche.anomalies)),
                ecrire_brouillon(fiche, sortie / f"{fichier.stem}.fiche.docx"),
            )
    depot.fermer()
    console.print(bilan)
    console.print(
        f"{len(fichiers) - echecs} fiche(s) écrite(s) dans [bold]{sortie}[/bold], "
        f"{echecs} en erreur."
    )
    if echecs:
        raise typer.Exit(1 if echecs < len(fichiers) else 2)
    if replis:
        # Un LLM était configuré mais n'a pas produit ces fiches : c'est visible et le
        # code de sortie le dit (3), pour qu'un script ne le prenne pas pour un succès.
        erreurs.print(
            f"[yellow]{len(replis)} fiche(s) produite(s) par les règles faute de LLM :[/yellow]"
        )
        for ligne in replis:
            erreurs.print(f"[yellow]  {ligne}[/yellow]")
        raise typer.Exit(3)


def _tableau_evaluation(rapport: RapportEvaluation) -> Table:
    table = Table(title="Exactitude par champ cœur (fiches comparées aux références)")
    table.add_column("Champ")
    table.add_column("Exact", justify="right")
    for champ, taux in rapport.par_champ.items():
        couleur = "green" if taux >= 0.98 else "yellow" if taux >= 0.9 else "red"
        table.add_row(champ, f"[{couleur}]{pourcent(taux)}[/{couleur}]")
    return table


def evaluer(
    dossier: Annotated[Path, typer.Argument(help="Dossier des fiches produites")],
    references: Annotated[Path, typer.Option(help="Dossier des fiches de référence")] = Path(
        "samples/corpus"
    ),
    json: Annotated[Path | None, typer.Option("--json", help="Rapport JSON détaillé")] = None,
) -> None:
    """Compare les fiches d'un dossier aux fiches de référence des échantillons."""
    if not dossier.is_dir():
        erreurs.print(f"[red]Le dossier {dossier} n'existe pas.[/red]")
        raise typer.Exit(2)
    from fiche.evaluation_dossier import evaluer_dossier

    rapport = evaluer_dossier(dossier, references)
    if not rapport.fiches:
        erreurs.print(f"[red]Aucune fiche de {dossier} n'a de référence dans {references}.[/red]")
        raise typer.Exit(2)
    console.print(_tableau_evaluation(rapport))
    console.print(
        f"Natifs : {pourcent(rapport.taux_exact_natifs)} exacts — scannés : "
        f"{pourcent(rapport.taux_exact_scannes)} — valeurs ancrées : "
        f"{pourcent(rapport.taux_ancrage)} — "
        f"avec page et citation : {pourcent(rapport.taux_provenance)}"
    )
    for famille, mesure in rapport.par_famille.items():
        nom = "Identification" if famille == "identification" else "Chiffres (postes)"
        console.print(
            f"{nom} : précision {pourcent(mesure.precision)} ({mesure.justes_ecrites} justes sur "
            f"{mesure.ecrites} écrites) — rappel {pourcent(mesure.rappel)} ({mesure.trouvees} sur "
            f"{mesure.attendues} attendues) — {mesure.inventees} valeur(s) écrite(s) là où la "
            "référence est vide"
        )
    anomalies = Table(title="Anomalies par code")
    for colonne in ("Code", "Précision", "Rappel", "VP", "FP", "FN"):
        anomalies.add_column(colonne)
    for score in rapport.anomalies:
        anomalies.add_row(
            score.code,
            f"{pourcent(score.precision, 0)}",
            f"{pourcent(score.rappel, 0)}",
            str(score.vrais_positifs),
            str(score.faux_positifs),
            str(score.faux_negatifs),
        )
    console.print(anomalies)
    if json:
        ecrire_atomique(json, rapport.model_dump_json(indent=1))
        console.print(f"Rapport détaillé : {json}")
