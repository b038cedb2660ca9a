"""Gap repair: ask a kiosk again for the sequence numbers the hub never received.

A broker that crashes can lose messages it had acknowledged, so the outbox's PUBACK is not
proof of delivery. The hub looks at each kiosk's received sequence numbers; any gap below the
highest one becomes a retained request on the kiosk's `resend` topic, which the kiosk answers
by publishing those rows again. When the gaps are closed the request is cleared.
"""

from __future__ import annotations

from kiosk.hub.models import Received, RegisteredKiosk
from kiosk.telemetry import payloads

WINDOW = 20_000  # only this many most recent sequence numbers are watched per kiosk


def missing_seqs(kiosk_id: str) -> list[int]:
    """Sequence numbers below the kiosk's highest received one that never arrived."""
    seqs = [
        r.seq
        for r in Received.select(Received.seq)
        .where(Received.kiosk_id == kiosk_id)
        .order_by(Received.seq.desc())
        .limit(WINDOW)
    ]
    if not seqs:
        return []
    have = set(seqs)
    low = max(1, seqs[-1] - 1) if len(seqs) == WINDOW else 1
    return [seq for seq in range(low, seqs[0]) if seq not in have]


def requests() -> dict[str, tuple[str, list[int]]]:
    """For every registered kiosk, its resend topic and the seqs to ask for ([] = none)."""
    found = {}
    for kiosk in RegisteredKiosk.select():
        topic = payloads.topic(kiosk.province, kiosk.commune, kiosk.kiosk_id, payloads.RESEND)
        found[kiosk.kiosk_id] = (topic, missing_seqs(kiosk.kiosk_id)[: payloads.MAX_RESEND])
    return found
