"""Staff accounts: a staff card AND a PIN, the PIN kept only as a salted scrypt hash.

Tags and cards are identifiers, never credentials (MIFARE Classic keys are broken), which is
why the PIN is required; repeated wrong PINs lock the account for a while.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import datetime, timedelta

from kiosk import text
from kiosk.i18n import _
from kiosk.readers import normalize_card
from kiosk.store.db import write_transaction
from kiosk.store.models import Staff

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # ~16 MiB, ~0.1 s on a Pi 4: slow for guessing
MAX_FAILED = 5
LOCKOUT = timedelta(minutes=5)


class StaffError(ValueError):
    """A staff operation that cannot be done, with a translated reason."""


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """A self-describing salted scrypt hash of `pin`."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether `pin` is the one `stored` was made from (constant-time compare)."""
    _scheme, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(
        pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def check_pin_format(pin: str) -> None:
    """PINs are 4 to 8 digits: typed on the kiosk's number pad."""
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise StaffError(_("the PIN must be 4 to 8 digits"))


def add(card_id: str, name: str, pin: str, now: datetime) -> Staff:
    """Create a staff account."""
    card, name = normalize_card(card_id), text.clean(name)
    check_pin_format(pin)
    if not name:
        raise StaffError(_("the staff member's name is empty"))
    with write_transaction():
        if Staff.get_or_none(Staff.card_id == card) is not None:
            raise StaffError(_("card {card} already belongs to a staff member").format(card=card))
        return Staff.create(card_id=card, name=name, pin_hash=hash_pin(pin), created_at=now)


def verify(card_id: str, pin: str, now: datetime) -> Staff:
    """The staff member if card and PIN match; raises StaffError (and counts the failure)."""
    staff = Staff.get_or_none(Staff.card_id == normalize_card(card_id))
    if staff is None:
        raise StaffError(_("this card is not a staff card"))
    if staff.locked_until and staff.locked_until > now:
        raise StaffError(
            _("too many wrong PINs: try again after {time}").format(
                time=staff.locked_until.strftime("%H:%M")
            )
        )
    ok = pin_matches(pin, staff.pin_hash)
    failed = 0 if ok else staff.failed_pins + 1
    locked = now + LOCKOUT if failed >= MAX_FAILED else None
    with write_transaction():
        Staff.update(failed_pins=0 if locked else failed, locked_until=locked).where(
            Staff.id == staff.id
        ).execute()
    if not ok:
        raise StaffError(_("wrong PIN"))
    return staff
