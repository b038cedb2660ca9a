"""Title and author search that ignores case, marks, đ/d and tone placement.

The FTS5 index holds folded keys (`kiosk.text.search_key`), so "duong" finds "Đường" and NFD
input finds NFC titles. Results whose diacritics match the query exactly (`exact_key`, tone
placement unified) come first, then by FTS5's bm25 rank.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import text
from kiosk.store.db import db


@dataclass(frozen=True)
class Hit:
    """One title found, with where to find it and whether a copy can be taken now."""

    title_id: int
    title: str
    author: str
    year: int | None
    shelves: tuple[str, ...]
    copies: int
    available: int  # copies on the shelf that may go home
    exact: bool
    reference: int = 0  # copies on the shelf for reading in the room only (dictionaries, Then)


def fts_query(query: str) -> str:
    """An FTS5 MATCH expression: every folded word of the query, as a prefix."""
    words = text.search_key(query).split()
    return " ".join(f'"{word}"*' for word in words)


SEARCH_SQL = """
SELECT t.id, t.title, t.author, t.year,
       instr(' ' || t.exact_key, ' ' || ?) > 0 AS exact,
       (SELECT group_concat(DISTINCT c.shelf) FROM copy c
         WHERE c.title_id = t.id AND c.shelf != '') AS shelves,
       (SELECT count(*) FROM copy c
         WHERE c.title_id = t.id AND c.status NOT IN ('withdrawn', 'sent_back')) AS copies,
       (SELECT count(*) FROM copy c
         WHERE c.title_id = t.id AND c.status = 'available' AND c.loanable) AS available,
       (SELECT count(*) FROM copy c
         WHERE c.title_id = t.id AND c.status = 'available' AND NOT c.loanable) AS reference
FROM title_fts JOIN title t ON t.id = title_fts.rowid
WHERE title_fts MATCH ?
ORDER BY exact DESC, bm25(title_fts, 4.0, 1.0), t.title_key
LIMIT ?
"""


def search(query: str, limit: int = 20) -> list[Hit]:
    """Titles whose title or author contains every word of `query` (as word prefixes)."""
    match = fts_query(query)
    if not match:
        return []
    rows = db.execute_sql(SEARCH_SQL, (text.exact_key(query), match, limit)).fetchall()
    return [
        Hit(
            row[0],
            row[1],
            row[2],
            row[3],
            tuple(sorted((row[5] or "").split(","))) if row[5] else (),
            row[6],
            row[7],
            bool(row[4]),
            row[8],
        )
        for row in rows
    ]
