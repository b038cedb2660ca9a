"""Power-cut safety: a writer killed with SIGKILL mid-stream, 200 times.

A forked child borrows and returns books as fast as it can, acknowledging each transaction on
a pipe only after it committed (as the kiosk tells a reader "ok" only then). The parent kills it
at a random moment, reopens the file and checks: the database is intact, every acknowledged
loan and return is there exactly once, and each loan's copy status and counters were written
in the same transaction as the loan itself.
"""

from __future__ import annotations

import os
import random
import select
import signal
from dataclasses import replace
from datetime import datetime

import pytest

from kiosk import counters, readers
from kiosk.catalog import titles as catalog
from kiosk.clock import FixedClock
from kiosk.desk import Desk, copy_loan, find_copy
from kiosk.store.db import close_database, integrity_ok, open_database
from kiosk.store.models import Copy, CounterBucket, Loan

KILLS = 200
COPIES = [f"C-{n:03d}" for n in range(12)]
CARDS = ["AA000001", "AA000002", "AA000003"]
START = datetime(2026, 11, 25, 9, 30)


def _prepare(path, rules) -> None:
    open_database(path)
    title = catalog.add_title("Sách thử", "Tác giả")
    for accession in COPIES:
        catalog.add_copy(title, accession)
    for card in CARDS:
        readers.register(card, "Bạn đọc", "adult", rules.groups, FixedClock(START), 365)
    close_database()


def _child(path, rules, seed: int, ack_fd: int) -> None:
    """Borrow/return forever, writing one line per committed transaction."""
    rng = random.Random(seed)
    open_database(path)
    desk = Desk(rules, FixedClock(START))  # the cards stay valid whatever day it runs
    os.write(ack_fd, b"ready\n")
    while True:
        accession = rng.choice(COPIES)
        loan = copy_loan(find_copy(accession).view.id)
        if loan is None:
            result = desk.borrow(rng.choice(CARDS), accession)
            assert result.ok, result
            new = copy_loan(find_copy(accession).view.id)
            os.write(ack_fd, f"B {new.id}\n".encode())
        else:
            assert desk.return_item(accession).ok
            os.write(ack_fd, f"R {loan.id}\n".encode())


def _run_once(path, rules, seed: int, kill_after: float) -> list[str]:
    """Fork a writer, kill it `kill_after` seconds after it is ready; the acks it sent."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        try:
            os.close(read_fd)
            _child(path, rules, seed, write_fd)
        finally:
            os._exit(1)
    os.close(write_fd)
    data = b""
    while b"ready\n" not in data:
        data += os.read(read_fd, 4096)
    select.select([], [], [], kill_after)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    while chunk := os.read(read_fd, 65536):
        data += chunk
    os.close(read_fd)
    return [line for line in data.decode().splitlines() if line and line != "ready"]


def _metric(name: str) -> int:
    return sum(b.count for b in CounterBucket.select().where(CounterBucket.metric == name))


def _check(acked_borrows: set[int], acked_returns: set[int], kills: int) -> None:
    assert integrity_ok()
    loans = {loan.id: loan for loan in Loan.select()}
    assert acked_borrows <= loans.keys(), "an acknowledged loan was lost"
    assert len(loans) <= len(acked_borrows) + kills  # at most one unacknowledged per kill
    for loan_id in acked_returns:
        assert loans[loan_id].returned_at is not None, "an acknowledged return was lost"
    for copy in Copy.select():
        open_ = [
            loan for loan in loans.values() if loan.copy_id == copy.id and loan.returned_at is None
        ]
        assert len(open_) <= 1, "a copy is lent twice"
        assert copy.status == ("on_loan" if open_ else "available")
    assert _metric(counters.LOANS) == len(loans)
    assert _metric(counters.RETURNS) == sum(1 for loan in loans.values() if loan.returned_at)


@pytest.mark.timeout(600)
def test_sigkill_during_borrows_and_returns_loses_nothing(tmp_path, rules):
    rules = replace(rules, limit={g: 1000 for g in rules.groups})
    path = tmp_path / "crash.db"
    _prepare(path, rules)
    rng = random.Random(2026)
    acked_borrows: set[int] = set()
    acked_returns: set[int] = set()
    for kill in range(1, KILLS + 1):
        for line in _run_once(path, rules, seed=kill, kill_after=rng.uniform(0, 0.06)):
            kind, loan_id = line.split()
            (acked_borrows if kind == "B" else acked_returns).add(int(loan_id))
        open_database(path)
        try:
            _check(acked_borrows, acked_returns, kill)
        finally:
            close_database()
    # the children did real work between kills (not only killed before their first commit)
    assert len(acked_borrows) + len(acked_returns) >= KILLS // 2
