"""An emulated NXP MFRC522 reader IC, register by register, as seen through SPI.

What is modelled (datasheet rev. 3.9 names):

* the register file with reset values, read-only and set/clear (Set1/Set2) registers;
* the 64-byte FIFO with FIFOLevelReg, FlushBuffer, WaterLevel and the Hi/LoAlert bits;
* commands Idle, Mem, GenerateRandomID, CalcCRC (CRC into CRCResultReg with the ModeReg
  preset), Transmit, NoCmdChange, Receive, Transceive (started by BitFramingReg.StartSend;
  TxLastBits, RxAlign, ControlReg.RxLastBits, optional TxCRCEn / RxCRCEn), MFAuthent
  (key checked by the card; Status2Reg.MFCrypto1On), SoftReset; unknown commands;
* collisions: ErrorReg.CollErr, CollReg.CollPos, ValuesAfterColl;
* the timer (TModeReg.TAuto, prescaler, reload, TimerIRq, TAutoRestart, TStart/StopNow);
* ComIrqReg / DivIrqReg with ComIEnReg / DivIEnReg, Status1Reg.IRq and the IRQ pin
  (IRqInv, open drain or push-pull);
* antenna on/off (TxControlReg Tx1RFEn/Tx2RFEn), soft power-down, and the NRSTPD pin
  (hard power-down while low, hard reset on the rising edge);
* VersionReg (0x92 by default: a genuine v2.0 chip).

Time is virtual: each SPI transfer advances the chip clock by its bit time at the SPI
clock rate plus a fixed per-transfer overhead (what a Python ``spidev`` call costs on a
Pi), so timeouts happen after a realistic number of register reads and tests stay
deterministic. :meth:`Mfrc522Chip.advance` moves time on explicitly.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from .cards import AuthOutcome
from .field import Field, Reception
from .iso14443 import Bits, crc_a, from_bits, to_bits

# Register addresses.
COMMAND, COM_IEN, DIV_IEN, COM_IRQ, DIV_IRQ, ERROR, STATUS1, STATUS2 = range(1, 9)
FIFO_DATA, FIFO_LEVEL, WATER_LEVEL, CONTROL, BIT_FRAMING, COLL = range(9, 15)
MODE, TX_MODE, RX_MODE, TX_CONTROL = 0x11, 0x12, 0x13, 0x14
CRC_RESULT_H, CRC_RESULT_L = 0x21, 0x22
DEMOD = 0x19
T_MODE, T_PRESCALER, T_RELOAD_H, T_RELOAD_L, T_COUNTER_H, T_COUNTER_L = range(0x2A, 0x30)
VERSION = 0x37

# Commands.
IDLE, MEM, RANDOM_ID, CALC_CRC, TRANSMIT = 0x0, 0x1, 0x2, 0x3, 0x4
NO_CMD_CHANGE, RECEIVE, TRANSCEIVE, MF_AUTHENT, SOFT_RESET = 0x7, 0x8, 0xC, 0xE, 0xF
KNOWN_COMMANDS = {IDLE, MEM, RANDOM_ID, CALC_CRC, TRANSMIT, NO_CMD_CHANGE, RECEIVE}
KNOWN_COMMANDS |= {TRANSCEIVE, MF_AUTHENT, SOFT_RESET}

# ComIrqReg bits.
TX_IRQ, RX_IRQ, IDLE_IRQ, HI_ALERT_IRQ, LO_ALERT_IRQ, ERR_IRQ, TIMER_IRQ = (
    0x40,
    0x20,
    0x10,
    0x08,
    0x04,
    0x02,
    0x01,
)
CRC_IRQ = 0x04  # DivIrqReg
# ErrorReg bits.
BUFFER_OVFL, COLL_ERR, CRC_ERR, PROTOCOL_ERR = 0x10, 0x08, 0x04, 0x01
MF_CRYPTO1_ON = 0x08  # Status2Reg

FIFO_SIZE = 64
CARRIER_HZ = 13.56e6

RESET_VALUES: dict[int, int] = {
    COMMAND: 0x20,
    COM_IEN: 0x80,
    DIV_IEN: 0x00,
    COM_IRQ: 0x14,
    DIV_IRQ: 0x00,
    ERROR: 0x00,
    STATUS2: 0x00,
    WATER_LEVEL: 0x08,
    CONTROL: 0x10,
    BIT_FRAMING: 0x00,
    COLL: 0xA0,
    MODE: 0x3F,
    TX_MODE: 0x00,
    RX_MODE: 0x00,
    TX_CONTROL: 0x80,
    0x15: 0x00,
    0x16: 0x10,
    0x17: 0x84,
    0x18: 0x84,
    DEMOD: 0x4D,
    0x1C: 0x62,
    0x1D: 0x00,
    0x1F: 0xEB,
    CRC_RESULT_H: 0xFF,
    CRC_RESULT_L: 0xFF,
    0x24: 0x26,
    0x26: 0x48,
    0x27: 0x88,
    0x28: 0x20,
    0x29: 0x20,
    T_MODE: 0x00,
    T_PRESCALER: 0x00,
    T_RELOAD_H: 0x00,
    T_RELOAD_L: 0x00,
    0x33: 0x80,
    0x36: 0x40,
}
CRC_PRESETS = (0x0000, 0x6363, 0xA671, 0xFFFF)

IrqListener = Callable[[bool | None], None]
"""Receives the IRQ pin drive: True/False when driven, None when released (open drain)."""


@dataclass
class SpiStats:
    """Counters of SPI traffic, for tests and benchmarks."""

    transfers: int = 0
    reads: Counter[int] = field(default_factory=Counter)
    writes: Counter[int] = field(default_factory=Counter)

    @property
    def register_reads(self) -> int:
        """Total number of register reads."""
        return sum(self.reads.values())

    def reset(self) -> None:
        """Zero every counter."""
        self.transfers = 0
        self.reads.clear()
        self.writes.clear()


class Mfrc522Chip:
    """The MFRC522 behind the SPI bus. Drive it with :meth:`spi_transfer`.

    ``field`` is the antenna's field holding the virtual cards. ``spi_overhead_s`` is the
    virtual time one SPI transfer costs on top of its bits at ``spi_hz``.
    """

    def __init__(
        self,
        rf_field: Field | None = None,
        *,
        version: int = 0x92,
        spi_overhead_s: float = 20e-6,
    ) -> None:
        self.field = rf_field if rf_field is not None else Field()
        self.version = version
        self.spi_overhead_s = spi_overhead_s
        self.stats = SpiStats()
        self.now = 0.0
        self.irq_listener: IrqListener | None = None
        self._lock = threading.RLock()
        self._in_reset = False
        self._irq_drive: bool | str | None = "unset"
        self._buffer = bytearray(25)  # internal buffer used by the Mem command
        self._hard_reset()

    # -- reset and power ------------------------------------------------------------------------
    def _hard_reset(self) -> None:
        self.regs = [0] * 64
        for addr, value in RESET_VALUES.items():
            self.regs[addr] = value
        self.fifo = bytearray()
        self.command = IDLE
        self._rx_last_bits = 0
        self._crc_ready = False
        self._crc_ok = False
        self._timer_running = False
        self._timer_deadline = 0.0
        self._timer_period = 0.0
        self._timer_start = 0.0
        self._update_field()

    def set_reset_pin(self, level: bool) -> None:
        """The NRSTPD pin: low holds the chip in hard power-down, the rising edge resets it."""
        with self._lock:
            if not level and not self._in_reset:
                self._in_reset = True
                self._update_field()
            elif level and self._in_reset:
                self._in_reset = False
                self._hard_reset()
        self._update_irq_pin()

    @property
    def in_reset(self) -> bool:
        """True while NRSTPD is held low."""
        return self._in_reset

    def _update_field(self) -> None:
        powered = not self._in_reset and not (self.regs[COMMAND] & 0x10)
        self.field.set_energised(powered and bool(self.regs[TX_CONTROL] & 0x03))

    # -- time ---------------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Let virtual time pass (timer expiry, IRQ line)."""
        with self._lock:
            self.now += seconds
            self._poll_timer()
        self._update_irq_pin()

    def _timer_setup(self) -> tuple[float, int]:
        prescaler = ((self.regs[T_MODE] & 0x0F) << 8) | self.regs[T_PRESCALER]
        even = bool(self.regs[DEMOD] & 0x10)
        tick = (2 * prescaler + (2 if even else 1)) / CARRIER_HZ
        reload = (self.regs[T_RELOAD_H] << 8) | self.regs[T_RELOAD_L]
        return tick, reload

    def _start_timer(self) -> None:
        tick, reload = self._timer_setup()
        self._timer_running = True
        self._timer_start = self.now
        self._timer_period = tick * (reload + 1)
        self._timer_deadline = self.now + self._timer_period

    def _poll_timer(self) -> None:
        while self._timer_running and self.now >= self._timer_deadline:
            self.regs[COM_IRQ] |= TIMER_IRQ
            if self.regs[T_MODE] & 0x10 and self._timer_period > 0:  # TAutoRestart
                self._timer_deadline += self._timer_period
            else:
                self._timer_running = False

    def _timer_value(self) -> int:
        if not self._timer_running:
            return 0
        tick, _ = self._timer_setup()
        return max(0, int((self._timer_deadline - self.now) / tick))

    # -- SPI ----------------------------------------------------------------------------------
    def spi_transfer(self, mosi: list[int], speed_hz: int = 1_000_000) -> list[int]:
        """One SPI transaction (chip select low for the whole list); returns MISO bytes.

        Byte 0 is ``(addr << 1) | 0x80`` to read or ``addr << 1`` to write. A read returns,
        for each following byte, the register named by the byte before it; a write stores
        every following byte into the same register (how the FIFO is filled in one go).
        """
        with self._lock:
            self.stats.transfers += 1
            self.now += len(mosi) * 8 / max(speed_hz, 1) + self.spi_overhead_s
            if self._in_reset or not mosi:
                return [0] * len(mosi)
            self._poll_timer()
            miso = [0] * len(mosi)
            addr_byte = mosi[0]
            if addr_byte & 0x80:
                for i in range(1, len(mosi)):
                    reg = (addr_byte >> 1) & 0x3F
                    self.stats.reads[reg] += 1
                    miso[i] = self.read_register(reg)
                    addr_byte = mosi[i]
            else:
                reg = (addr_byte >> 1) & 0x3F
                for value in mosi[1:]:
                    self.stats.writes[reg] += 1
                    self.write_register(reg, value & 0xFF)
        self._update_irq_pin()
        return miso

    # -- registers ------------------------------------------------------------------------------
    def read_register(self, reg: int) -> int:
        """Value the host reads from ``reg`` (with side effects: FIFODataReg pops)."""
        if reg == COMMAND:
            return (self.regs[COMMAND] & 0x30) | self.command
        if reg in (COM_IRQ, DIV_IRQ):
            return self.regs[reg] & 0x7F
        if reg == STATUS1:
            return self._status1()
        if reg == STATUS2:
            return self.regs[STATUS2] | self._modem_state()
        if reg == FIFO_DATA:
            value = self.fifo.pop(0) if self.fifo else 0
            self._fifo_changed()
            return value
        if reg == FIFO_LEVEL:
            return len(self.fifo)
        if reg == CONTROL:
            return 0x10 | self._rx_last_bits
        if reg == VERSION:
            return self.version
        if reg == T_COUNTER_H:
            return self._timer_value() >> 8
        if reg == T_COUNTER_L:
            return self._timer_value() & 0xFF
        return self.regs[reg]

    def write_register(self, reg: int, value: int) -> None:
        """Apply a host write to ``reg``."""
        handler = self._WRITE_HANDLERS.get(reg)
        if handler is not None:
            handler(self, value)
        elif reg not in (ERROR, STATUS1, CRC_RESULT_H, CRC_RESULT_L, VERSION, 0x2E, 0x2F):
            self.regs[reg] = value

    def _w_command(self, value: int) -> None:
        old_power = self.regs[COMMAND] & 0x10
        self.regs[COMMAND] = value & 0x30
        if (value & 0x10) != old_power:
            self._update_field()
        if value & 0x10:
            return  # entering soft power-down leaves the command as it is
        command = value & 0x0F
        if command != NO_CMD_CHANGE:
            self._start_command(command)

    def _w_set_clear(self, reg: int, value: int, mask: int) -> None:
        # Bit 7 (Set1 / Set2) says whether the marked bits are set or cleared.
        if value & 0x80:
            self.regs[reg] |= value & mask
        else:
            self.regs[reg] &= ~(value & mask) & 0xFF

    def _w_com_irq(self, value: int) -> None:
        self._w_set_clear(COM_IRQ, value, 0x7F)

    def _w_div_irq(self, value: int) -> None:
        self._w_set_clear(DIV_IRQ, value, 0x14)

    def _w_status2(self, value: int) -> None:
        keep_crypto = self.regs[STATUS2] & MF_CRYPTO1_ON & value  # clear-only bit
        self.regs[STATUS2] = (value & 0xC0) | keep_crypto

    def _w_fifo_data(self, value: int) -> None:
        if len(self.fifo) >= FIFO_SIZE:
            self.regs[ERROR] |= BUFFER_OVFL
            return
        self.fifo.append(value)
        self._fifo_changed()

    def _w_fifo_level(self, value: int) -> None:
        if value & 0x80:
            self.fifo.clear()
            self.regs[ERROR] &= ~BUFFER_OVFL & 0xFF
            self._fifo_changed()

    def _w_control(self, value: int) -> None:
        if value & 0x80:
            self._timer_running = False
        if value & 0x40:
            self._start_timer()

    def _w_bit_framing(self, value: int) -> None:
        starting = value & 0x80 and not self.regs[BIT_FRAMING] & 0x80
        self.regs[BIT_FRAMING] = value
        if starting and self.command == TRANSCEIVE:
            self._transceive()

    def _w_coll(self, value: int) -> None:
        self.regs[COLL] = (self.regs[COLL] & 0x7F) | (value & 0x80)

    def _w_tx_control(self, value: int) -> None:
        self.regs[TX_CONTROL] = value
        self._update_field()

    def _w_water_level(self, value: int) -> None:
        self.regs[WATER_LEVEL] = value & 0x3F
        self._fifo_changed()

    _WRITE_HANDLERS: ClassVar[dict[int, Callable[[Mfrc522Chip, int], None]]] = {
        COMMAND: _w_command,
        COM_IRQ: _w_com_irq,
        DIV_IRQ: _w_div_irq,
        STATUS2: _w_status2,
        FIFO_DATA: _w_fifo_data,
        FIFO_LEVEL: _w_fifo_level,
        CONTROL: _w_control,
        BIT_FRAMING: _w_bit_framing,
        COLL: _w_coll,
        TX_CONTROL: _w_tx_control,
        WATER_LEVEL: _w_water_level,
    }

    # -- status ------------------------------------------------------------------------------------
    def _hi_lo_alert(self) -> tuple[bool, bool]:
        water = self.regs[WATER_LEVEL]
        return FIFO_SIZE - len(self.fifo) <= water, len(self.fifo) <= water

    def _fifo_changed(self) -> None:
        hi, lo = self._hi_lo_alert()
        if hi:
            self.regs[COM_IRQ] |= HI_ALERT_IRQ
        if lo:
            self.regs[COM_IRQ] |= LO_ALERT_IRQ

    def _irq_pending(self) -> bool:
        com = self.regs[COM_IEN] & self.regs[COM_IRQ] & 0x7F
        div = self.regs[DIV_IEN] & self.regs[DIV_IRQ] & 0x14
        return bool(com or div)

    def _status1(self) -> int:
        hi, lo = self._hi_lo_alert()
        value = 0x40 if self._crc_ok else 0
        value |= 0x20 if self._crc_ready else 0
        value |= 0x10 if self._irq_pending() else 0
        value |= 0x08 if self._timer_running else 0
        value |= 0x02 if hi else 0
        value |= 0x01 if lo else 0
        return value

    def _modem_state(self) -> int:
        if self.command == TRANSCEIVE:
            return 0b101 if self.regs[BIT_FRAMING] & 0x80 else 0b001
        return 0b101 if self.command == RECEIVE else 0

    @property
    def irq_pin(self) -> bool | None:
        """Current IRQ pin drive: True/False when driven, None when released (open drain)."""
        active = self._irq_pending()
        level = not active if self.regs[COM_IEN] & 0x80 else active  # IRqInv
        if self._in_reset:
            return None
        if self.regs[DIV_IEN] & 0x80:  # IRQPushPull
            return level
        return None if level else False

    def _update_irq_pin(self) -> None:
        with self._lock:
            drive = self.irq_pin
            if drive == self._irq_drive:
                return
            self._irq_drive = drive
            listener = self.irq_listener
        if listener is not None:
            listener(drive)

    # -- commands ----------------------------------------------------------------------------------
    def _start_command(self, command: int) -> None:
        if command not in KNOWN_COMMANDS:
            self.command = IDLE
            self.regs[COM_IRQ] |= IDLE_IRQ
            return
        self.command = command
        action = {
            IDLE: None,
            MEM: self._mem,
            RANDOM_ID: self._random_id,
            CALC_CRC: self._calc_crc,
            TRANSMIT: self._transmit_only,
            RECEIVE: None,  # cards never talk first: only the timer can end it
            TRANSCEIVE: self._transceive_armed,
            MF_AUTHENT: self._mf_authent,
            SOFT_RESET: self._soft_reset,
        }[command]
        if action is not None:
            action()

    def _finish(self) -> None:
        """A command that terminates by itself: back to Idle, IdleIRq."""
        self.command = IDLE
        self.regs[COM_IRQ] |= IDLE_IRQ

    def _mem(self) -> None:
        if self.fifo:
            self._buffer[:] = bytes(self.fifo[:25]).ljust(25, b"\x00")
            del self.fifo[:25]
        else:
            self.fifo.extend(self._buffer)
        self._fifo_changed()
        self._finish()

    def _random_id(self) -> None:
        self._buffer[:10] = os.urandom(10)
        self._finish()

    def _calc_crc(self) -> None:
        # The coprocessor consumes the FIFO and stays active until another command.
        preset = CRC_PRESETS[self.regs[MODE] & 0x03]
        crc = crc_a(self.fifo, preset)
        self.fifo.clear()
        self._fifo_changed()
        self.regs[CRC_RESULT_H] = crc >> 8
        self.regs[CRC_RESULT_L] = crc & 0xFF
        self._crc_ready = True
        self._crc_ok = crc == 0
        self.regs[DIV_IRQ] |= CRC_IRQ

    def _soft_reset(self) -> None:
        buffer = self._buffer
        self._hard_reset()  # registers to reset values, FIFO flushed, carrier off
        self._buffer = buffer
        self.regs[COM_IRQ] |= IDLE_IRQ

    def _transmit_only(self) -> None:
        self._send_fifo()
        self._finish()

    def _transceive_armed(self) -> None:
        # Transmission starts when BitFramingReg.StartSend is (or already was) set.
        if self.regs[BIT_FRAMING] & 0x80:
            self._transceive()

    def _send_fifo(self) -> Bits:
        """Take the FIFO as the frame to send (TxLastBits, TxCRCEn) and flag TxIRq."""
        data = bytes(self.fifo)
        self.fifo.clear()
        self._fifo_changed()
        tx_last = self.regs[BIT_FRAMING] & 0x07
        nbits = len(data) * 8 if tx_last == 0 else (len(data) - 1) * 8 + tx_last
        if self.regs[TX_MODE] & 0x80 and data:
            crc = crc_a(data, CRC_PRESETS[self.regs[MODE] & 0x03])
            data += bytes((crc & 0xFF, crc >> 8))
            nbits = len(data) * 8
        self.regs[COM_IRQ] |= TX_IRQ
        self.regs[ERROR] &= BUFFER_OVFL  # the other error bits describe this exchange
        self.regs[COLL] = (self.regs[COLL] & 0x80) | 0x20  # CollPosNotValid
        return to_bits(data, max(nbits, 0))

    def _encrypted(self) -> bool:
        return bool(self.regs[STATUS2] & MF_CRYPTO1_ON)

    def _transceive(self) -> None:
        bits = self._send_fifo()
        if self.regs[T_MODE] & 0x80:  # TAuto: the timer starts at the end of transmission
            self._start_timer()
        if not bits or self.regs[COMMAND] & 0x20:  # nothing sent, or RcvOff
            return
        reception = self.field.transceive(bits, self._encrypted())
        if reception is not None:
            self._receive(reception)

    def _receive(self, reception: Reception) -> None:
        if self.regs[T_MODE] & 0x80:
            self._timer_running = False  # TAuto stops the timer on the first received bits
        bits = list(reception.bits)
        align = (self.regs[BIT_FRAMING] >> 4) & 0x07
        error = 0
        if reception.collision is not None:
            error |= COLL_ERR
            pos = align + reception.collision + 1
            self.regs[COLL] = (self.regs[COLL] & 0x80) | (pos & 0x1F)
            if not self.regs[COLL] & 0x80:  # ValuesAfterColl = 0: clear the bits after it
                bits[reception.collision + 1 :] = [0] * (len(bits) - reception.collision - 1)
        data = from_bits(bits, align)
        if self.regs[RX_MODE] & 0x80 and len(bits) % 8 == 0:  # RxCRCEn
            if len(data) < 3 or crc_a(data, CRC_PRESETS[self.regs[MODE] & 0x03]) != 0:
                error |= CRC_ERR
            else:
                data = data[:-2]
        room = FIFO_SIZE - len(self.fifo)
        if len(data) > room:
            error |= BUFFER_OVFL
            data = data[:room]
        self.fifo.extend(data)
        self._fifo_changed()
        self._rx_last_bits = (align + len(bits)) % 8
        self.regs[ERROR] |= error
        self.regs[COM_IRQ] |= RX_IRQ | (ERR_IRQ if error else 0)

    def _mf_authent(self) -> None:
        data = bytes(self.fifo)
        self.fifo.clear()
        self._fifo_changed()
        self.regs[ERROR] &= BUFFER_OVFL
        if len(data) < 12:
            self.regs[ERROR] |= PROTOCOL_ERR
            self.regs[COM_IRQ] |= ERR_IRQ
            self._finish()
            return
        if self.regs[T_MODE] & 0x80:
            self._start_timer()
        outcome = self.field.authenticate(
            data[0], data[1], data[2:8], data[8:12], self._encrypted()
        )
        if outcome is AuthOutcome.OK:
            self._timer_running = False
            self.regs[STATUS2] |= MF_CRYPTO1_ON
            self._finish()
        elif outcome is AuthOutcome.BAD_REPLY:
            self._timer_running = False
            self.regs[ERROR] |= PROTOCOL_ERR
            self.regs[COM_IRQ] |= ERR_IRQ
            self._finish()
        # NO_ANSWER / FAILED: the command waits for a card answer that never comes; only
        # the timer (TimerIRq) or the host writing Idle ends it.
