"""``stancetrack add``: a new document (its text, metadata, segments and author) into a dataset."""

from __future__ import annotations

from pathlib import Path

import click

from .options import data_option, lazy

documents_lib = lazy("stancetrack.documents")


@click.command()
@click.argument("text_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--title", default=None, help="Title (default: the text's first line, verbatim).")
@click.option("--author", required=True, metavar="NAME", help="Author as named in the byline.")
@click.option("--author-id", "author_id", default=None, metavar="ID",
              help="The author's actor id (default: the name as a slug, e.g. maxime-marquette); created as an "
                   "actor of kind author when the dataset has none with that id.")
@click.option("--language", required=True, metavar="TAG", help="Language of the text (BCP-47, e.g. fr).")
@click.option("--publisher", default=None, help="Publisher or outlet (default: none given).")
@click.option("--url", default=None, help="Address of the original publication (default: none given; never guess).")
@click.option("--rights", required=True, help="Who holds the text's rights and on what basis it is redistributed.")
@click.option("--published", default=None, metavar="DAY", help="Publication day (YYYY-MM-DD).")
@click.option("--written-between", "written_between", nargs=2, default=None, metavar="DAY DAY",
              help="First and last day the text can have been written (YYYY-MM-DD), with --date-basis.")
@click.option("--date-basis", "date_basis", default=None, metavar="REASON",
              help="Why the date or window is what it is (required with --written-between).")
@click.option("--document-id", "document_id", default=None, metavar="ID",
              help="Document id (default: author's last name, year, first two title words, e.g. "
                   "dumont-2025-apres-alaska).")
@click.option("--dry-run", is_flag=True, help="Check everything; write nothing.")
@data_option(writes=True)
def add(text_file: Path, title: str | None, author: str, author_id: str | None, language: str,
        publisher: str | None, url: str | None, rights: str, published: str | None,
        written_between: tuple[str, str] | None, date_basis: str | None, document_id: str | None, dry_run: bool,
        data: Path) -> None:
    """Add TEXT_FILE (UTF-8, NFC, lines ending with \\n) as a new document, cut into headings and paragraphs.

    Nothing is normalised: a file that is not UTF-8, is empty, is not NFC or is already in the dataset (same
    SHA-256) is refused with one line, exit 1, and nothing is written. Give either --published or
    --written-between with --date-basis.

    \b
    Example:
        stancetrack add note.txt --author "Claire Dumont" --language fr --published 2025-08-20 \\
            --rights "Written for the project; CC BY 4.0." --dataset dataset
    """
    if (published is None) == (not written_between):
        raise click.UsageError("give either --published DAY or --written-between DAY DAY")
    added = documents_lib.add_document(
        data, text_file, author=author, author_id=author_id, language=language, rights=rights, title=title,
        publisher=publisher, url=url, published=published, written_between=written_between or None,
        date_basis=date_basis, document_id=document_id, dry_run=dry_run)
    click.echo(f"{'would add' if dry_run else 'added'} {added}")
