"""Conversion des documents Word en PDF (LibreOffice sans écran) puis en PNG (pypdfium2).

LibreOffice reçoit son propre profil jetable (`-env:UserInstallation`) : deux conversions
simultanées, ou un LibreOffice déjà ouvert par l'agent, ne se disputent pas le même profil
(sinon la seconde sort sans rien écrire). Usage en ligne de commande :
`scripts/convertir_pdf.sh FICHIER.docx… --sortie DOSSIER [--png]`.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
from PIL import Image

from socle.erreurs import PublicationError

DELAI_S = 180
"""Un lot de fiches se convertit en quelques secondes ; au-delà, LibreOffice est bloqué."""


def libreoffice() -> str:
    """Le chemin de `soffice` (paquet Debian `libreoffice-writer`)."""
    chemin = shutil.which("soffice") or shutil.which("libreoffice")
    if chemin is None:
        raise PublicationError(
            "LibreOffice est introuvable : installer le paquet libreoffice-writer "
            "(scripts/installer.sh) pour convertir les documents en PDF."
        )
    return chemin


def en_pdf(documents: Sequence[Path], sortie: Path) -> list[Path]:
    """Convertit les documents en un seul lancement de LibreOffice ; rend les PDF écrits."""
    sortie.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dsp-libreoffice-") as profil:
        commande = [
            libreoffice(),
            f"-env:UserInstallation={Path(profil).resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(sortie),
            *(str(d) for d in documents),
        ]
        try:
            fini = subprocess.run(commande, capture_output=True, text=True, timeout=DELAI_S)
        except subprocess.TimeoutExpired as exc:
            raise PublicationError(f"LibreOffice n'a pas fini en {DELAI_S} s.") from exc
    pdfs = [sortie / f"{d.stem}.pdf" for d in documents]
    manquants = [p.name for p in pdfs if not p.is_file()]
    if fini.returncode != 0 or manquants:
        detail = (fini.stderr or fini.stdout).strip()[-500:] or "LibreOffice ne dit rien"
        cause = ", ".join(manquants) or f"code {fini.returncode}"
        raise PublicationError(f"Conversion en PDF impossible ({cause}) : {detail}.")
    return pdfs


def nombre_pages(pdf: Path) -> int:
    return len(pypdf.PdfReader(str(pdf)).pages)


def pages_en_images(
    pdf: Path, echelle: float = 1.0, maximum: int | None = None
) -> list[Image.Image]:
    """Les pages rendues (échelle 1 : 72 points par pouce, une page A4 fait 595 px)."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        total = len(document) if maximum is None else min(maximum, len(document))
        return [document[i].render(scale=echelle).to_pil() for i in range(total)]
    finally:
        document.close()


def planche(images: Sequence[Image.Image], marge: int = 16) -> Image.Image:
    """Les pages côte à côte sur fond gris, comme un lecteur les feuillette."""
    largeur = sum(i.width for i in images) + marge * (len(images) + 1)
    hauteur = max(i.height for i in images) + 2 * marge
    fond = Image.new("RGB", (largeur, hauteur), (200, 200, 200))
    x = marge
    for image in images:
        fond.paste(image.convert("RGB"), (x, marge))
        x += image.width + marge
    return fond


def en_png(pdf: Path, cible: Path, *, pages: int = 1, echelle: float = 1.0) -> Path:
    """Les `pages` premières pages du PDF en une image PNG (planche si plusieurs)."""
    images = pages_en_images(pdf, echelle, pages)
    cible.parent.mkdir(parents=True, exist_ok=True)
    planche(images).save(cible, optimize=True)
    return cible


def main(arguments: Sequence[str] | None = None) -> None:
    lecteur = argparse.ArgumentParser(description="Convertit des documents Word en PDF et PNG.")
    lecteur.add_argument("documents", nargs="+", type=Path)
    lecteur.add_argument("--sortie", type=Path, required=True, help="Dossier des PDF et PNG")
    lecteur.add_argument("--png", action="store_true", help="Aussi une planche PNG par PDF")
    lecteur.add_argument("--pages", type=int, default=3, help="Pages mises sur la planche")
    options = lecteur.parse_args(arguments)
    try:
        pdfs = en_pdf(options.documents, options.sortie)
    except PublicationError as exc:
        raise SystemExit(f"Échec : {exc}") from exc
    for pdf in pdfs:
        print(f"{pdf} : {nombre_pages(pdf)} page(s)")
        if options.png:
            print(f"  {en_png(pdf, pdf.with_suffix('.png'), pages=options.pages)}")


if __name__ == "__main__":
    main()
