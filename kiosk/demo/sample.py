"""A realistic sample library for the demo, the tests and training: Vietnamese books, Tày and
Nùng local documents, the legal bookcase, a rotation batch, and readers of every group.

Deterministic: the same call gives the same library, with the card and tag ids listed in
`SAMPLE_CARDS` and the accession numbers "LS-0001"... so scripts can refer to them.
"""

from __future__ import annotations

from datetime import timedelta

from kiosk import readers, staff
from kiosk.catalog import titles
from kiosk.clock import Clock
from kiosk.config import LoanRules
from kiosk.store.db import write_transaction
from kiosk.store.models import RotationBatch

# (title, author, year, shelf, copies, local document, loanable)
BOOKS = [
    ("Dế Mèn phiêu lưu ký", "Tô Hoài", 2019, "Thiếu nhi", 3, False, True),
    ("Đất rừng phương Nam", "Đoàn Giỏi", 2018, "Văn học", 2, False, True),
    ("Truyện Kiều", "Nguyễn Du", 2015, "Văn học", 2, False, True),
    ("Tắt đèn", "Ngô Tất Tố", 2016, "Văn học", 1, False, True),
    ("Số đỏ", "Vũ Trọng Phụng", 2017, "Văn học", 1, False, True),
    ("Vợ chồng A Phủ", "Tô Hoài", 2014, "Văn học", 2, False, True),
    ("Cho tôi xin một vé đi tuổi thơ", "Nguyễn Nhật Ánh", 2020, "Văn học", 2, False, True),
    ("Kính vạn hoa", "Nguyễn Nhật Ánh", 2021, "Thiếu nhi", 2, False, True),
    ("Góc sân và khoảng trời", "Trần Đăng Khoa", 2012, "Thiếu nhi", 1, False, True),
    ("Truyện cổ tích Việt Nam", "Nhiều tác giả", 2018, "Thiếu nhi", 3, False, True),
    (
        "Kỹ thuật trồng và chăm sóc cây hồi",
        "Sở Nông nghiệp Lạng Sơn",
        2020,
        "Nông nghiệp",
        2,
        True,
        True,
    ),
    ("Kỹ thuật nuôi lợn đen bản địa", "Trung tâm Khuyến nông", 2019, "Nông nghiệp", 2, False, True),
    ("Trồng hoa hồi, hoa đào xứ Lạng", "Hoàng Văn Páo", 2017, "Nông nghiệp", 1, True, True),
    ("Then Tày Lạng Sơn", "Nguyễn Thị Yên", 2016, "Văn hoá địa phương", 1, True, False),
    ("Lượn Slương, lượn Tày", "Hoàng Văn Páo", 2015, "Văn hoá địa phương", 2, True, True),
    ("Sli Nùng Phàn Slình", "Vi Thị Thu Hà", 2018, "Văn hoá địa phương", 1, True, True),
    ("Truyện cổ Tày – Nùng", "Nông Minh Châu", 2014, "Văn hoá địa phương", 2, True, True),
    ("Từ điển Tày – Nùng – Việt", "Hoàng Văn Ma", 2006, "Tra cứu", 1, True, False),
    ("Địa chí Lạng Sơn", "UBND tỉnh Lạng Sơn", 2019, "Tra cứu", 1, True, False),
    ("Lịch sử Đảng bộ xã Đoàn Kết", "Đảng bộ xã", 2021, "Văn hoá địa phương", 1, True, False),
    ("Luật Hôn nhân và gia đình", "Quốc hội", 2014, "Tủ sách pháp luật", 2, False, True),
    ("Hỏi đáp pháp luật về đất đai", "NXB Tư pháp", 2024, "Tủ sách pháp luật", 2, False, True),
    ("Luật Trẻ em", "Quốc hội", 2016, "Tủ sách pháp luật", 1, False, True),
    (
        "Phòng chống mua bán người vùng biên giới",
        "Công an tỉnh",
        2022,
        "Tủ sách pháp luật",
        1,
        False,
        True,
    ),
    ("Sổ tay chăm sóc sức khoẻ người cao tuổi", "Bộ Y tế", 2021, "Sức khoẻ", 2, False, True),
    ("Nuôi con khoẻ, dạy con ngoan", "Hội Liên hiệp Phụ nữ", 2020, "Sức khoẻ", 1, False, True),
    ("Hoà Bình và những câu chuyện", "Ma Văn Kháng", 2010, "Văn học", 1, False, True),
    ("Người thầy đầu tiên", "Chingiz Aitmatov", 2017, "Văn học", 1, False, True),
    ("Đường Kách Mệnh", "Hồ Chí Minh", 2019, "Chính trị", 1, False, True),
    ("Bác Hồ ở Pác Bó", "Nhiều tác giả", 2015, "Chính trị", 1, False, True),
]

# (title, author, copies) lent by the provincial library (luân chuyển)
ROTATION = [
    ("Tôi thấy hoa vàng trên cỏ xanh", "Nguyễn Nhật Ánh", 2),
    ("Hoàng tử bé", "Antoine de Saint-Exupéry", 1),
    ("Bí mật của nước", "Masaru Emoto", 1),
]

# (card id, name, group): Tày, Nùng, Kinh, Dao and H'Mông names
READERS = [
    ("A1B2C3D4", "Hoàng Văn Tâm", "adult"),
    ("A1B2C3D5", "Nông Thị Hoa", "adult"),
    ("A1B2C3D6", "Lương Văn Páo", "elder"),
    ("A1B2C3D7", "Vi Thị Lan", "elder"),
    ("A1B2C3D8", "Lý Thị Mai", "child"),
    ("A1B2C3D9", "Triệu Văn Quý", "child"),
    ("A1B2C3DA", "Nguyễn Minh Đức", "adult"),
    ("A1B2C3DB", "Giàng A Sử", "adult"),
]
STAFF = ("5AFF0001", "Chu Thị Hằng", "1234")
SAMPLE_CARDS = {"reader": READERS[0][0], "child": READERS[4][0], "staff": STAFF[0]}


def tag_uid(n: int) -> str:
    """The RFID tag UID (7-byte, NTAG-style) of sample copy number n."""
    return f"04{n:06X}5A8180"


def create(clock: Clock, rules: LoanRules) -> None:
    """Fill an empty catalogue with the sample library (one transaction)."""
    now = clock.now()
    with write_transaction():
        n = 0
        for title, author, year, shelf, count, local, loanable in BOOKS:
            record = titles.add_title(
                title, author, year=year, local_document=local, created_at=now
            )
            for _ in range(count):
                n += 1
                titles.add_copy(
                    record,
                    f"LS-{n:04d}",
                    barcode=f"20{n:010d}",
                    shelf=shelf,
                    tags=(tag_uid(n),),
                    loanable=loanable,
                    created_at=now,
                )
        batch = RotationBatch.create(
            code="LC-2026-07",
            source_library="Thư viện tỉnh Lạng Sơn",
            received_at=now,
            due_back=(now + timedelta(days=90)).date(),
        )
        for title, author, count in ROTATION:
            record = titles.add_title(title, author, created_at=now)
            for _ in range(count):
                n += 1
                titles.add_copy(
                    record,
                    f"LC-{n:04d}",
                    shelf="Sách luân chuyển",
                    tags=(tag_uid(n),),
                    batch=batch,
                    created_at=now,
                )
    for card, name, group in READERS:
        readers.register(card, name, group, rules.groups, clock, rules.card_validity_days)
    staff.add(*STAFF, now=now)
