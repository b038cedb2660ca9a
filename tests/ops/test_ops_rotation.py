"""Rotation batches: manifest (CSV and MARC), receiving by taps, lending, status, sending back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.catalog.csv_import import ImportRejected
from kiosk.ops import rotation
from kiosk.reports import figures as reports
from kiosk.store.models import Copy, RotationBatch
from tests.catalog.marc_records import koha_record

HEADER = "batch,source_library,due_back,title,author,isbn,accession,barcode,shelf\n"


def manifest(tmp_path: Path, code: str = "LC-2027-01", rows: int = 4) -> Path:
    lines = [
        f"{code},Thư viện tỉnh Lạng Sơn,31/03/2027,Sách luân chuyển {n},Tác giả {n},,"
        f"TVT-{n:03d},99{n:06d},Luân chuyển\n"
        for n in range(1, rows + 1)
    ]
    path = tmp_path / "manifest.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def test_csv_manifest_receive_lend_status_send_back(desk, tmp_path, clock):
    summary = rotation.import_manifest(manifest(tmp_path))
    assert (summary.code, summary.due_back, summary.copies) == (
        "LC-2027-01",
        date(2027, 3, 31),
        4,
    )
    batch = RotationBatch.get(RotationBatch.code == "LC-2027-01")
    assert batch.received_at is None
    assert {c.status for c in batch.copies} == {"missing"}  # expected, not here yet

    result = rotation.receive(
        "LC-2027-01", ["TVT-001", "99000002", "TVT-003", "LS-0001", "??"], clock
    )
    assert [i.accession for i in result.received] == ["TVT-001", "TVT-002", "TVT-003"]
    assert result.not_in_batch == ["LS-0001"] and result.unknown == ["??"]
    assert [i.accession for i in result.still_missing] == ["TVT-004"]
    assert rotation.receive("LC-2027-01", ["TVT-001"], clock).already == ["TVT-001"]
    assert RotationBatch.get_by_id(batch.id).received_at == clock.now()

    loan = desk.borrow("A1B2C3D4", "TVT-001")  # lends like any other copy, capped due date
    assert loan.ok and loan.batch_code == "LC-2027-01"
    state = rotation.status("LC-2027-01")
    assert [i.accession for i in state.on_loan] == ["TVT-001"]
    assert state.on_loan[0].due == loan.due
    assert [i.accession for i in state.missing] == ["TVT-004"]
    assert len(state.available) == 2

    preview = rotation.send_back("LC-2027-01", clock, dry_run=True)
    assert len(preview.packed) == 2 and not preview.complete
    assert Copy.get(Copy.accession == "TVT-002").status == "available"

    checklist = rotation.send_back("LC-2027-01", clock)
    assert [i.accession for i in checklist.packed] == ["TVT-002", "TVT-003"]
    assert [i.accession for i in checklist.on_loan] == ["TVT-001"]
    assert [i.accession for i in checklist.missing] == ["TVT-004"]
    assert not checklist.complete
    assert Copy.get(Copy.accession == "TVT-002").status == "sent_back"
    assert RotationBatch.get_by_id(batch.id).sent_back_at == clock.now()

    report = reports.month(2026, 11, ("child", "adult", "elder"))
    labels = {row[0]: row[1:] for row in report.table()}
    assert labels["Rotation batches received"][0] == "2"  # the sample's batch too
    assert labels["Rotation batches sent back"][0] == "1"
    assert labels["Rotation loans"] == ["1", "0", "1", "0"]


def test_a_copy_back_again_joins_the_new_batch(desk, tmp_path, clock):
    rotation.import_manifest(manifest(tmp_path, rows=2))
    rotation.receive("LC-2027-01", ["TVT-001", "TVT-002"], clock)
    rotation.send_back("LC-2027-01", clock)
    again = rotation.import_manifest(manifest(tmp_path, code="LC-2027-09", rows=3))
    assert (again.reattached, again.copies) == (2, 1)
    assert Copy.get(Copy.accession == "TVT-001").batch.code == "LC-2027-09"


def test_marc_manifest_needs_the_batch_details(store, tmp_path):
    path = tmp_path / "batch.mrc"
    record = koha_record("P1", "Sách tỉnh", "Tác giả", items=({"i": "P-1"}, {"i": "P-2"}))
    path.write_bytes(record.as_marc())
    with pytest.raises(rotation.RotationError, match="due-back"):
        rotation.import_manifest(path)
    summary = rotation.import_manifest(
        path, code="LC-M", source_library="Thư viện tỉnh", due_back=date(2027, 1, 31)
    )
    assert summary.copies == 2
    assert {(c.status, c.batch.code) for c in Copy.select()} == {("missing", "LC-M")}


def test_bad_manifests(store, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        HEADER + "A,Tỉnh,2027-01-01,T1,,,X-1,,\nB,Tỉnh,2027-01-01,T2,,,X-2,,\n", encoding="utf-8"
    )
    with pytest.raises(ImportRejected, match="one value"):
        rotation.import_manifest(path)
    with pytest.raises(rotation.RotationError, match="not a date"):
        rotation.parse_date("31.03.2027")
    rotation.import_manifest(manifest(tmp_path))
    with pytest.raises(rotation.RotationError, match="already imported"):
        rotation.import_manifest(manifest(tmp_path))
    assert RotationBatch.select().count() == 1
