"""The catalogue: titles and their copies, with the search keys kept in step."""

from __future__ import annotations

from typing import Any

from kiosk import text
from kiosk.store.models import Copy, CopyTag, Title


def title_keys(title: str, author: str) -> dict[str, str]:
    """The folded and exact search keys stored beside a title."""
    return {
        "title_key": text.search_key(title),
        "author_key": text.search_key(author),
        "exact_key": text.exact_key(f"{title} {author}"),
    }


def add_title(title: str, author: str = "", **fields: Any) -> Title:
    """Create a title (text cleaned to NFC) with its search keys."""
    title, author = text.clean(title), text.clean(author)
    for name in ("publisher", "subjects"):
        if name in fields:
            fields[name] = text.clean(fields[name])
    return Title.create(title=title, author=author, **title_keys(title, author), **fields)


def add_copy(
    title: Title,
    accession: str,
    barcode: str | None = None,
    shelf: str = "",
    tags: tuple[str, ...] = (),
    **fields: Any,
) -> Copy:
    """Create a physical copy of `title`, with its tag UIDs if it is already labelled."""
    copy = Copy.create(
        title=title,
        accession=text.clean(accession),
        barcode=text.clean(barcode) if barcode else None,
        shelf=text.clean(shelf),
        **fields,
    )
    for uid in tags:
        CopyTag.create(uid=uid.upper(), copy=copy)
    return copy
