"""Reader registration with consent, export, erasure and loan-history retention."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kiosk import counters, readers
from kiosk.demo import sample
from kiosk.store.models import CounterBucket, Loan, Reader


def register(rules, clock, card="0A0B0C0D", name="Nông Văn Dũng", group="child"):
    return readers.register(card, name, group, rules.groups, clock, rules.card_validity_days)


def test_register_records_consent_and_expiry(store, rules, clock):
    reader = register(rules, clock, card="0a:0b:0c:0d")
    assert reader.card_id == "0A0B0C0D"
    assert reader.consent_at == clock.now() and reader.consent_version == readers.CONSENT_VERSION
    assert reader.expires == clock.now().date() + timedelta(days=rules.card_validity_days)
    bucket = CounterBucket.get(CounterBucket.metric == counters.NEW_READERS)
    assert (bucket.reader_group, bucket.count) == ("child", 1)


@pytest.mark.parametrize(
    ("card", "name", "group", "message"),
    [
        ("0A0B0C0D", "Lý Văn A", "adult", "already belongs"),
        ("", "Lý Văn A", "adult", "not a valid card"),
        ("ZZ-!!", "Lý Văn A", "adult", "not a valid card"),
        ("11223344", "  ", "adult", "name is empty"),
        ("11223344", "Lý Văn A", "soldier", "unknown reader group"),
    ],
)
def test_bad_registrations_refused_and_nothing_written(
    store, rules, clock, card, name, group, message
):
    register(rules, clock)
    with pytest.raises(readers.ReaderError, match=message):
        register(rules, clock, card=card, name=name, group=group)
    assert Reader.select().count() == 1


def test_lookup_by_number_or_card(library):
    assert readers.lookup("1").card_id == sample.READERS[0][0]
    assert readers.lookup("#2").card_id == sample.READERS[1][0]
    assert readers.lookup(sample.READERS[2][0].lower()).name == sample.READERS[2][1]
    with pytest.raises(readers.ReaderError):
        readers.lookup("9999")


def test_export_contains_everything_held(desk):
    desk.borrow(sample.SAMPLE_CARDS["reader"], "LS-0001")
    data = readers.export(readers.lookup(sample.SAMPLE_CARDS["reader"]))
    assert data["reader"]["name"] == "Hoàng Văn Tâm"
    assert data["reader"]["consent_version"] == readers.CONSENT_VERSION
    assert [loan["title"] for loan in data["loans"]] == ["Dế Mèn phiêu lưu ký"]


def test_delete_refused_while_books_are_out_then_erases(desk):
    card = sample.SAMPLE_CARDS["reader"]
    desk.borrow(card, "LS-0001")
    reader = readers.lookup(card)
    with pytest.raises(readers.ReaderError, match="still has 1 book"):
        readers.delete(reader)
    desk.return_item("LS-0001")
    readers.delete(reader)
    assert Reader.get_or_none(Reader.card_id == card) is None
    loan = Loan.get()
    assert loan.reader_id is None and loan.reader_group == "adult"  # the count stays
    assert (
        sum(b.count for b in CounterBucket.select().where(CounterBucket.metric == counters.LOANS))
        == 1
    )


def test_old_returned_loans_forget_their_reader(desk, clock, rules):
    card = sample.SAMPLE_CARDS["reader"]
    desk.borrow(card, "LS-0001")
    desk.borrow(card, "LS-0004")
    desk.return_item("LS-0001")
    today = clock.now().date()
    assert (
        readers.forget_old_loans(today + timedelta(days=rules.retention_days), rules.retention_days)
        == 0
    )
    assert (
        readers.forget_old_loans(
            today + timedelta(days=rules.retention_days + 1), rules.retention_days
        )
        == 1
    )
    returned, current = (
        Loan.get(Loan.returned_at.is_null(False)),
        Loan.get(Loan.returned_at.is_null()),
    )
    assert returned.reader_id is None and returned.reader_group == "adult"
    assert current.reader_id is not None  # a book still out keeps its borrower
    assert date(2026, 11, 25) == today
