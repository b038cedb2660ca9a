"""Gap repair: ask a kiosk again for the sequence numbers the hub never received.

A broker that crashes can lose messages it had acknowledged, so the outbox's PUBACK is not
proof of delivery. The hub looks at each kiosk's received sequence numbers as *ranges* (never
a list of every number: one seq of 2^31 must not cost gigabytes), between the oldest seq the
kiosk still keeps and the latest it says the broker acknowledged (health v2: so the gaps at
the end show too, not only those below the highest seq received). The lowest `MAX_RESEND` of
those become a retained request on the kiosk's `resend` topic; the kiosk answers by publishing
those rows again. Seqs below the kiosk's oldest kept one can never come: they are counted as
lost and never asked for, so they cannot fill the request and stop later ones.
"""

from __future__ import annotations

from kiosk.hub.models import Received, RegisteredKiosk, SeqWatermark, hub_db
from kiosk.telemetry import payloads

WINDOW = 20_000  # without a kiosk's oldest kept seq, only this many below its latest are watched
MAX_RANGES = 1_000  # gaps looked at per kiosk and pass, lowest first


def _bounds(kiosk_id: str) -> tuple[int, int, int]:
    """(lowest seq worth asking for, highest seq that should be here, highest received)."""
    top_received = (
        Received.select(Received.seq)
        .where(Received.kiosk_id == kiosk_id)
        .order_by(Received.seq.desc())
        .limit(1)
        .scalar()
    ) or 0
    mark = SeqWatermark.get_or_none(SeqWatermark.kiosk_id == kiosk_id)
    top = max(top_received, mark.latest_seq if mark else 0)
    floor = mark.oldest_seq if mark else max(1, top - WINDOW + 1)
    return max(1, floor), top, top_received


def missing_ranges(kiosk_id: str, limit: int = MAX_RANGES) -> list[tuple[int, int]]:
    """The gaps (first, last), lowest first, between what the kiosk still keeps and the latest
    seq it announced; computed by the database over the received rows (LAG), never by a list
    of every seq."""
    floor, top, top_received = _bounds(kiosk_id)
    if top < floor:
        return []
    p = hub_db.obj.param
    table = Received._meta.table_name
    rows = hub_db.execute_sql(
        f"SELECT prev + 1, seq - 1 FROM (SELECT seq, LAG(seq, 1, {p}) OVER (ORDER BY seq) AS prev"
        f" FROM {table} WHERE kiosk_id = {p} AND seq >= {p}) AS r WHERE seq - prev > 1"
        f" ORDER BY seq LIMIT {p}",
        (floor - 1, kiosk_id, floor, limit),
    ).fetchall()
    ranges = [(int(first), int(last)) for first, last in rows]
    start = max(floor, top_received + 1)
    if top >= start and len(ranges) < limit:
        ranges.append((start, top))  # the end: sent and acknowledged, never received
    return ranges


def missing_seqs(kiosk_id: str, limit: int = payloads.MAX_RESEND) -> list[int]:
    """The lowest `limit` missing seqs (what one resend request asks for)."""
    found: list[int] = []
    for first, last in missing_ranges(kiosk_id):
        found.extend(range(first, min(last, first + limit - len(found) - 1) + 1))
        if len(found) >= limit:
            break
    return found


def lost(kiosk_id: str) -> int:
    """How many seqs the kiosk no longer keeps and the hub never received: lost for good."""
    mark = SeqWatermark.get_or_none(SeqWatermark.kiosk_id == kiosk_id)
    if mark is None or mark.oldest_seq <= 1:
        return 0
    have = (
        Received.select()
        .where((Received.kiosk_id == kiosk_id) & (Received.seq < mark.oldest_seq))
        .count()
    )
    return mark.oldest_seq - 1 - have


def requests() -> dict[str, tuple[str, list[int]]]:
    """For every registered kiosk, its resend topic and the seqs to ask for ([] = none)."""
    found = {}
    for kiosk in RegisteredKiosk.select():
        topic = payloads.topic(kiosk.province, kiosk.commune, kiosk.kiosk_id, payloads.RESEND)
        found[kiosk.kiosk_id] = (topic, missing_seqs(kiosk.kiosk_id))
    return found
