"""Labelling on the emulator (unmodified mfrc522 driver), barcodes, and card replacement."""

from __future__ import annotations

import pytest

from kiosk import desk as desk_mod
from kiosk import readers
from kiosk.hardware.emulator import MifareClassic1K, Ntag213
from kiosk.hardware.emulator.iso14443 import from_bits
from kiosk.hardware.rfid import TagWriteError
from kiosk.ops import labelling
from kiosk.store.models import Copy, CopyTag, Reader

NEW_UID = bytes.fromhex("04C0FFEE000001")


def test_write_label_records_the_tag(library, rig, tag_reader):
    Copy.create(title=Copy.get().title, accession="NEW-1", shelf="Văn học")
    card = rig.reader.place(Ntag213(NEW_UID))
    done = labelling.write_label(tag_reader, "NEW-1")
    assert done.uid == NEW_UID.hex().upper() and done.accession == "NEW-1"
    assert CopyTag.get_by_id(done.uid).copy.accession == "NEW-1"
    assert desk_mod.find_copy(done.uid).accession == "NEW-1"
    # taken away and tapped again: the tap carries the label we wrote
    rig.reader.remove(card)
    tag_reader.poll(), tag_reader.poll()
    rig.reader.place(card)
    assert tag_reader.poll().item_id == "NEW-1"


def test_a_tag_of_another_copy_is_refused(library, rig, tag_reader):
    uid = bytes.fromhex(CopyTag.get().uid)
    if len(uid) == 7:
        rig.reader.place(Ntag213(uid))
    else:
        rig.reader.place(MifareClassic1K(uid))
    with pytest.raises(labelling.LabelError, match="already labels another copy"):
        labelling.write_label(tag_reader, "LS-0002")


def test_no_tag_and_failed_write_record_nothing(library, rig, tag_reader):
    Copy.create(title=Copy.get().title, accession="NEW-2")
    with pytest.raises(labelling.LabelError, match="No tag"):
        labelling.write_label(tag_reader, "NEW-2")
    card = Ntag213(NEW_UID)
    rig.reader.place(card)
    # pulled away as the first page write goes out
    rig.reader.on_frame(
        lambda bits: (
            rig.reader.remove(card) if len(bits) >= 16 and from_bits(bits)[0] == 0xA2 else None
        )
    )
    with pytest.raises(TagWriteError):
        labelling.write_label(tag_reader, "NEW-2")
    assert CopyTag.select().where(CopyTag.uid == NEW_UID.hex().upper()).count() == 0


def test_bulk_session_progress(library, rig, tag_reader):
    title = Copy.get().title
    for n in range(3):
        Copy.create(title=title, accession=f"B-{n}", shelf="Mới")
    session = labelling.LabelSession("Mới")
    assert session.progress == (0, 3) and session.next[0] == "B-0"
    for n in range(2):
        rig.reader.clear()
        rig.reader.place(Ntag213(bytes([4, 0, 0, 0, 0, 0, n + 1])))
        tag_reader.poll()
        session.label_next(tag_reader)
    session.skip()
    assert session.progress == (2, 3) and session.left == ["B-2"]
    assert [a for a, _t, _s in labelling.unlabelled("Mới")] == ["B-2"]


def test_assign_barcode(library):
    done = labelling.assign_barcode("LS-0001", "8935000000019")
    assert done.uid == "8935000000019"
    assert desk_mod.find_copy("8935000000019").accession == "LS-0001"
    with pytest.raises(labelling.LabelError, match="already on copy LS-0001"):
        labelling.assign_barcode("LS-0002", "8935000000019")


def test_replace_card_keeps_the_loans(desk):
    desk.borrow("A1B2C3D4", "LS-0001")
    reader = readers.replace_card("A1B2C3D4", "0A:0B:0C:0D")
    assert reader.card_id == "0A0B0C0D"
    assert desk_mod.find_reader("A1B2C3D4") is None  # the lost card no longer works
    again = desk.borrow("0A0B0C0D", "LS-0004")
    assert again.ok
    assert Reader.get_by_id(reader.id).loans.count() == 2
    with pytest.raises(readers.ReaderError, match="already belongs"):
        readers.replace_card("2", "0A0B0C0D")
