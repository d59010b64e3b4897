"""Le texte propre de typer (aide, erreurs d'usage) en français.

typer embarque sa propre copie de click, aux messages écrits en dur (pas de gettext) : on
réécrit les intitulés que typer lit dans `typer.rich_utils` (« Options », « Arguments »…,
au moment où typer l'importe), le préfixe « Usage: », l'aide de `--help`, les types
affichés (`<int>`) et le message de chaque erreur d'usage au moment de l'afficher. Sans
effet la deuxième fois.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import re
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from types import ModuleType
from typing import Any

import typer.core
from typer._click import core as click_core
from typer._click import formatting

INTITULES: dict[str, str] = {
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commandes",
    "ERRORS_PANEL_TITLE": "Erreur",
    "ABORTED_TEXT": "Interrompu.",
    "RICH_HELP": "Aide : [blue]« {command_path} {help_option} »[/]",
    "DEFAULT_STRING": "[défaut : {}]",
    "ENVVAR_STRING": "[variable : {}]",
    "REQUIRED_LONG_STRING": "[obligatoire]",
    "DEPRECATED_STRING": "(obsolète) ",
}
"""Intitulés que typer lit dans `typer.rich_utils` à chaque affichage."""

AIDE_HELP = "Affiche cette aide et quitte."
USAGE = "Utilisation : "
TYPES = {
    "int": "entier", "float": "nombre", "str": "texte", "Path": "chemin",
    "path": "chemin", "list[Path]": "chemins", "list[str]": "textes", "int range": "entier",
}  # fmt: skip
"""Les types affichés dans l'aide (`<int>` → `<entier>`)."""

VALEURS: list[tuple[str, str]] = [
    (r"Input should be a valid integer.*", "un nombre entier est attendu"),
    (r"Input should be a valid number.*", "un nombre est attendu"),
    (r"Input should be a valid boolean.*", "oui ou non (true, false) est attendu"),
    (r"Input should be less than or equal to (.+)", r"doit être inférieur ou égal à \1"),
    (r"Input should be greater than or equal to (.+)", r"doit être supérieur ou égal à \1"),
    (r"Input should be less than (.+)", r"doit être inférieur à \1"),
    (r"Input should be greater than (.+)", r"doit être supérieur à \1"),
    (r"Input should be (.+)", r"valeurs permises : \1"),
    (r"Value (.+) is not a valid (.+)\.", r"\1 n'est pas un \2 valide."),
    (r"(?:File|Directory|Path) (.+) does not exist\.", r"\1 n'existe pas."),
    (r"(?:File|Directory|Path) (.+) is a directory\.", r"\1 est un dossier."),
    (r"(?:File|Directory|Path) (.+) is a file\.", r"\1 est un fichier."),
    (r"(?:File|Directory|Path) (.+) is not readable\.", r"\1 n'est pas lisible."),
]
"""Ce que la validation d'une valeur reproche (pydantic, typer), en français."""

ERREURS: list[tuple[str, str]] = [
    (r"Missing argument '(.+)'\.", r"Argument manquant : « \1 »."),
    (r"Missing option '(.+)'\.", r"Option manquante : « \1 »."),
    (r"Missing (?:parameter|option|argument):? ?'?([^'.]+)'?\.?", r"Paramètre manquant : « \1 »."),
    (
        r"No such option: (\S+?)\.? Did you mean (\S+?)\?",
        r"Option inconnue : \1 (voulez-vous \2 ?).",
    ),
    (r"No such option: (\S+)", r"Option inconnue : \1."),
    (r"No such command '(.+)'\.", r"Commande inconnue : « \1 »."),
    (r"Missing command\.", "Commande manquante."),
    (r"Got unexpected extra arguments? ?\(s?\)? ?\((.+)\)", r"Argument(s) en trop : \1."),
    (r"Option '(.+)' requires an argument\.", r"L'option « \1 » demande une valeur."),
    (r"Option '(.+)' does not take a value\.", r"L'option « \1 » ne prend pas de valeur."),
]
"""Les erreurs d'usage de typer (message complet), en français."""


def _traduire(message: str, regles: list[tuple[str, str]]) -> str | None:
    for motif, remplacement in regles:
        if (trouve := re.fullmatch(motif, message.strip(), re.DOTALL)) is not None:
            return trouve.expand(remplacement)
    return None


def traduire_erreur(message: str) -> str:
    """Un message d'erreur d'usage de typer en français (inchangé s'il est inconnu)."""
    invalide = re.fullmatch(r"Invalid value(?: for '(.+?)')?: (.+)", message.strip(), re.DOTALL)
    if invalide is not None:
        cible, raison = invalide.groups()
        raison = _traduire(raison, VALEURS) or raison
        return (
            f"Valeur invalide pour « {cible} » : {raison}."
            if cible
            else f"Valeur invalide : {raison}."
        )
    return _traduire(message, ERREURS) or message


def _afficher_erreur(original: Callable[[Any], None]) -> Callable[[Any], None]:
    @wraps(original)
    def afficher(exc: Any) -> None:
        traduit = traduire_erreur(exc.format_message())
        exc.format_message = lambda: traduit
        original(exc)

    return afficher


def _usage(original: Callable[..., None]) -> Callable[..., None]:
    @wraps(original)
    def ecrire(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("COMMAND [ARGS]...", "COMMANDE [ARGUMENTS]...")
        original(self, prog, args, USAGE if prefix is None else prefix)

    return ecrire


def _option_aide(original: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(original)
    def option(self: Any, ctx: Any) -> Any:
        aide = original(self, ctx)
        if aide is not None:
            aide.help = AIDE_HELP
        return aide

    return option


def _type_affiche(original: Callable[..., str]) -> Callable[..., str]:
    @wraps(original)
    def afficher(self: Any, ctx: Any) -> str:
        affiche = original(self, ctx)[1:-1]
        if affiche == "bool":  # un drapeau (--rejeter) n'a pas de valeur à écrire
            return ""
        return f"<{TYPES.get(affiche, affiche)}>"

    return afficher


_RICH_UTILS = "typer.rich_utils"


def _traduire_rich_utils(rich_utils: ModuleType) -> None:
    if getattr(rich_utils, "_dsp_francais", False):
        return
    for nom, texte in INTITULES.items():
        setattr(rich_utils, nom, texte)
    erreur = _afficher_erreur(rich_utils.rich_format_error)
    setattr(rich_utils, "rich_format_error", erreur)  # noqa: B010 (module chargé à la demande)
    setattr(rich_utils, "_dsp_francais", True)  # noqa: B010


class _TraduireALImport(importlib.abc.MetaPathFinder):
    """Traduit `typer.rich_utils` au moment où typer l'importe. typer ne s'en sert que
    pour afficher l'aide et les erreurs ; l'importer d'avance (rich.markdown, markdown_it,
    pygments) coûtait ~0,13 s CPU à chaque commande."""

    def find_spec(
        self, nom: str, chemin: Sequence[str] | None, cible: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if nom != _RICH_UTILS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(nom, chemin, cible)
        if spec is None or spec.loader is None:
            return spec
        executer = spec.loader.exec_module

        def executer_puis_traduire(module: ModuleType) -> None:
            executer(module)
            _traduire_rich_utils(module)

        spec.loader.exec_module = executer_puis_traduire  # type: ignore[method-assign]
        return spec


def installer() -> None:
    """Traduit typer pour tout le processus (une seule fois)."""
    if getattr(typer.core, "_dsp_francais", False):
        return
    if _RICH_UTILS in sys.modules:
        _traduire_rich_utils(sys.modules[_RICH_UTILS])
    else:
        sys.meta_path.insert(0, _TraduireALImport())
    formatting.HelpFormatter.write_usage = _usage(formatting.HelpFormatter.write_usage)  # type: ignore[method-assign]
    click_core.Command.get_help_option = _option_aide(click_core.Command.get_help_option)  # type: ignore[method-assign]
    parametre = typer.core._TyperParameter
    parametre.display_type = _type_affiche(parametre.display_type)  # type: ignore[method-assign]
    typer.core._dsp_francais = True  # type: ignore[attr-defined]
