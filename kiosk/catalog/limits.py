"""How long each catalogue value may be: the one place the CSV, spreadsheet and MARC imports
(and the MARC export) take their limits from.

A real title, author or shelf mark is short; a value far longer than any real one is damage
(a quote not closed in a CSV, an XML entity expanded a thousand times, a record run into the
next) and would fill the screens and the search index. Descriptive text is cut to its limit
with a note, so the record still imports and staff can check it; an identifier (accession
number, barcode) cut short would name another copy, so a value over its limit is refused.
"""

from __future__ import annotations

from kiosk.i18n import N_, _, format_number

#: Descriptive text: the longest value kept; longer ones are cut, with a note.
TEXT_LIMITS = {
    "title": 500,
    "author": 300,
    "publisher": 300,
    "subjects": 1000,
    "shelf": 100,
    "language": 12,
}
#: Identifiers: a longer value is refused, never cut.
ID_LIMITS = {
    "accession": 64,
    "barcode": 64,
    "isbn": 40,
    "tags": 400,  # up to ~19 tag UIDs of 10 bytes, space-separated
}
#: Any other cell (a year, a yes/no, an unknown column) is never this long unless damaged.
OTHER_LIMIT = 200

#: The names staff see for each value, in messages (the CSV's own column names stay English).
LABELS = {
    "title": N_("title"),
    "author": N_("author"),
    "publisher": N_("publisher"),
    "subjects": N_("subjects"),
    "shelf": N_("shelf"),
    "language": N_("language"),
    "accession": N_("accession number"),
    "barcode": N_("barcode"),
    "isbn": N_("ISBN"),
    "tags": N_("tags"),
}


def label(name: str) -> str:
    """The translated name of a catalogue value."""
    return _(LABELS[name]) if name in LABELS else name


def limit(name: str) -> int:
    """The most characters `name` may have."""
    return TEXT_LIMITS.get(name) or ID_LIMITS.get(name) or OTHER_LIMIT


def cut(name: str, value: str) -> tuple[str, str | None]:
    """`value` within its limit, and a note saying what was cut (None when nothing was).

    Raises ValueError (with the translated reason) for an identifier over its limit, or for
    any other value that is not descriptive text and is over the general limit."""
    most = limit(name)
    if len(value) <= most:
        return value, None
    if name not in TEXT_LIMITS:
        raise ValueError(
            _("the {field} is {length} characters long (at most {limit})").format(
                field=label(name), length=format_number(len(value)), limit=format_number(most)
            )
        )
    note = _("the {field} was {length} characters long: cut to {limit}").format(
        field=label(name), length=format_number(len(value)), limit=format_number(most)
    )
    return value[:most].rstrip(), note
