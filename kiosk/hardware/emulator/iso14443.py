"""Bit-level frame helpers shared by the emulated chip and the virtual cards.

ISO/IEC 14443-A sends every byte least significant bit first and allows frames that end
in the middle of a byte (short frames, bit-oriented anticollision frames, 4-bit ACK/NAK).
Frames therefore travel between the chip and the cards as lists of bits in air order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Bits = list[int]

ACK = 0x0A
"""The 4-bit acknowledge a PICC sends after a successful WRITE step."""


def crc_a(data: Iterable[int], preset: int = 0x6363) -> int:
    """Return the ISO/IEC 14443-A CRC (CRC_A) of ``data``.

    ``preset`` is the initial register value; the MFRC522 takes it from ModeReg so it is a
    parameter here (0x6363 is the CRC_A preset).
    """
    crc = preset
    for byte in data:
        byte ^= crc & 0xFF
        byte = (byte ^ (byte << 4)) & 0xFF
        crc = ((crc >> 8) ^ (byte << 8) ^ (byte << 3) ^ (byte >> 4)) & 0xFFFF
    return crc


def with_crc(data: Sequence[int]) -> bytes:
    """Return ``data`` followed by its CRC_A, least significant byte first (as sent on air)."""
    crc = crc_a(data)
    return bytes(data) + bytes((crc & 0xFF, crc >> 8))


def crc_ok(frame: Sequence[int]) -> bool:
    """Tell whether ``frame`` ends with a correct CRC_A over the bytes before it."""
    return len(frame) >= 3 and bytes(frame[-2:]) == with_crc(frame[:-2])[-2:]


def bcc(data: Iterable[int]) -> int:
    """Return the block check character (XOR of the bytes) used in UIDs."""
    result = 0
    for byte in data:
        result ^= byte
    return result


def to_bits(data: Sequence[int], nbits: int | None = None) -> Bits:
    """Unpack ``data`` into bits in air order, keeping only the first ``nbits`` of them."""
    bits = [(byte >> i) & 1 for byte in data for i in range(8)]
    return bits if nbits is None else bits[:nbits]


def from_bits(bits: Sequence[int], offset: int = 0) -> bytes:
    """Pack bits into bytes, the first bit going to bit position ``offset`` of byte 0.

    Unused bit positions are zero. This is how the MFRC522 stores a received frame in its
    FIFO when BitFramingReg.RxAlign is ``offset``.
    """
    total = offset + len(bits)
    out = bytearray((total + 7) // 8)
    for i, bit in enumerate(bits, start=offset):
        if bit:
            out[i // 8] |= 1 << (i % 8)
    return bytes(out)


def nibble(value: int) -> Bits:
    """Bits of a 4-bit response (ACK or NAK)."""
    return to_bits([value & 0x0F], 4)
