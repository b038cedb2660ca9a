"""kiosk.hardware.rfid on the unmodified mfrc522 driver and the emulated reader."""

from __future__ import annotations

import pytest
from hw_support import CLASSIC_UID, NTAG_UID

from kiosk.hardware.emulator import MifareClassic1K, Ntag213, Rig
from kiosk.hardware.interfaces import TagSeen, TagStatus
from kiosk.hardware.rfid import Mfrc522TagReader, SeveralTags

CLASSIC_TAP = TagSeen(CLASSIC_UID, "mifare-classic-1k", TagStatus.BLANK)


@pytest.fixture
def tags(rig: Rig) -> Mfrc522TagReader:
    import RPi.GPIO as GPIO

    GPIO.setmode(GPIO.BCM)  # the app's one numbering mode
    return Mfrc522TagReader(rst_pin=rig.rst_pin, clock=lambda: 0.0)


def test_drives_the_real_rst_pin_in_bcm(rig: Rig, tags: Mfrc522TagReader) -> None:
    assert rig.gpio.is_output(rig.rst_pin) and rig.gpio.level(rig.rst_pin) == 1
    assert not rig.gpio.is_output(15)


def test_empty_poll_is_cheap(rig: Rig, tags: Mfrc522TagReader) -> None:
    rig.chip.stats.reset()
    assert tags.poll() is None
    # SimpleMFRC522's empty poll costs 2013 transfers (see the driver tests).
    assert rig.chip.stats.transfers <= 100
    assert rig.chip.stats.transfers <= 0.05 * 2013


def test_one_event_per_tap(rig: Rig, tags: Mfrc522TagReader) -> None:
    card = MifareClassic1K(CLASSIC_UID)
    rig.reader.place(card)
    assert tags.poll() == CLASSIC_TAP  # a new card: no label on it
    assert [tags.poll() for _ in range(5)] == [None] * 5  # resting on the reader
    rig.reader.remove(card)
    assert [tags.poll() for _ in range(3)] == [None] * 3
    assert tags.current is None
    rig.reader.place(card)
    assert tags.poll() == CLASSIC_TAP  # a second tap


def test_seven_byte_ntag_uid_through_cascade_level_2(rig: Rig, tags: Mfrc522TagReader) -> None:
    rig.reader.place(Ntag213(NTAG_UID))
    assert tags.poll() == TagSeen(NTAG_UID, "ntag", TagStatus.BLANK)


def test_several_tags_reported_once(rig: Rig, tags: Mfrc522TagReader) -> None:
    a = rig.reader.place(MifareClassic1K(CLASSIC_UID))
    rig.reader.place(MifareClassic1K(bytes.fromhex("DEADBEEE")))
    assert tags.poll() == SeveralTags()
    assert tags.poll() is None
    rig.reader.remove(a)
    assert tags.poll() == TagSeen(bytes.fromhex("DEADBEEE"), "mifare-classic-1k", TagStatus.BLANK)


def test_mixed_tag_types_collide_on_atqa(rig: Rig, tags: Mfrc522TagReader) -> None:
    rig.reader.place(MifareClassic1K(CLASSIC_UID))
    rig.reader.place(Ntag213(NTAG_UID))
    assert tags.poll() == SeveralTags()


def test_tag_pulled_between_cascade_levels(rig: Rig, tags: Mfrc522TagReader) -> None:
    tag = rig.reader.place(Ntag213(NTAG_UID))

    def pull_at_level_2(bits: list[int]) -> None:
        if len(bits) == 16 and bits[:8] == [1, 0, 1, 0, 1, 0, 0, 1]:  # SEL2 0x95
            rig.reader.remove(tag)

    unsubscribe = rig.reader.on_frame(pull_at_level_2)
    assert tags.poll() is None  # no half UID reported
    unsubscribe()
    rig.reader.place(tag)
    assert tags.poll() == TagSeen(NTAG_UID, "ntag", TagStatus.BLANK)
