"""Inventory sessions: shelf by shelf, persisted and resumed, with every kind of finding."""

from __future__ import annotations

import csv

import pytest

from kiosk.demo import sample
from kiosk.ops import inventory
from kiosk.store.db import close_database, open_database
from kiosk.store.models import Copy, Loan


def shelf_copies(shelf: str) -> list[str]:
    return [c.accession for c in Copy.select().where(Copy.shelf == shelf).order_by(Copy.accession)]


def test_session_resumes_and_finds_everything(desk, kiosk_config, clock, tmp_path):
    children = shelf_copies("Thiếu nhi")
    desk.borrow("A1B2C3D4", children[0])  # on loan, yet it will be found on the shelf
    literature = shelf_copies("Văn học")
    Copy.update(status="missing").where(Copy.accession == children[1]).execute()

    inventory.start(clock, shelf="Thiếu nhi")
    with pytest.raises(inventory.InventoryError, match="already open"):
        inventory.start(clock)
    seen = [sample.tag_uid(int(children[0][3:]))]  # by tag UID
    seen += children[1:-1]  # everything but the last: the last is missing
    first = inventory.scan(seen, clock)
    assert first[0].kind == "on_loan_found"

    # the kiosk restarts: the session is in the database and resumes
    close_database()
    open_database(kiosk_config.db_path)
    assert inventory.progress().shelves["Thiếu nhi"] == (len(children) - 1, len(children) - 1)
    rotation_copy = shelf_copies("Sách luân chuyển")[0]
    findings = inventory.scan(
        [literature[0], rotation_copy, "04FFFFFFFFFFFF"], clock, shelf="Văn học"
    )
    assert findings[0].kind == "found"
    assert findings[2].kind == "unknown"
    elsewhere = inventory.scan([children[-2]], clock)  # a children's book on the literature shelf
    assert elsewhere[0].kind == "elsewhere" and elsewhere[0].shelf == "Thiếu nhi"

    result = inventory.finish(clock)
    kinds = {}
    for f in result:
        kinds.setdefault(f.kind, []).append(f.item)
    assert kinds["on_loan_found"] == [children[0]]
    assert children[-1] in kinds["missing"]
    assert set(literature[1:]) <= set(kinds["missing"])
    assert set(kinds["elsewhere"]) == {children[-2], rotation_copy}
    assert kinds["unknown"] == ["04FFFFFFFFFFFF"]
    # statuses: missing set, the found missing one fixed, the on-loan one left with its loan
    assert Copy.get(Copy.accession == children[-1]).status == "missing"
    assert Copy.get(Copy.accession == children[1]).status == "available"
    assert Copy.get(Copy.accession == children[0]).status == "on_loan"
    assert Loan.select().where(Loan.returned_at.is_null()).count() == 1
    assert inventory.open_session() is None

    frozen = inventory.results()
    assert sorted((f.kind, f.item) for f in frozen) == sorted((f.kind, f.item) for f in result)
    out = tmp_path / "inventory.csv"
    inventory.to_csv(frozen, out)
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][:2] == ["result", "item"] and len(rows) == len(result) + 1


def test_nothing_open(store, clock):
    with pytest.raises(inventory.InventoryError, match="start one"):
        inventory.scan(["X"], clock)
    with pytest.raises(inventory.InventoryError, match="no finished"):
        inventory.results()
