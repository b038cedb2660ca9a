"""The benchmarks' shared report: rows of kiosk vs baseline figures, printed as one table
`metric | kiosk | baseline | ratio | goal | ok?`."""

from __future__ import annotations

from dataclasses import dataclass, field


def log(message: str) -> None:
    """Progress on stdout, flushed so long steps show."""
    print(message, flush=True)


def fmt_value(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.2f}"


@dataclass
class Row:
    """One line of the final table (`ratio` is kiosk / baseline)."""

    metric: str
    kiosk: float | None
    baseline: float | None
    goal: str = "(info)"
    ok: bool | None = None  # None: informational, no goal

    @property
    def ratio(self) -> float | None:
        if self.kiosk is None or not self.baseline:
            return None
        return self.kiosk / self.baseline


@dataclass
class Report:
    """Every figure of one benchmark, printed at the end."""

    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row

    @property
    def ok(self) -> bool:
        return all(row.ok is not False for row in self.rows)


def print_table(report: Report) -> None:
    """The final compact table: metric | kiosk | baseline | ratio | goal | ok?"""
    head = ("metric", "kiosk", "baseline", "ratio", "goal", "ok?")
    lines = [
        (
            row.metric,
            fmt_value(row.kiosk),
            fmt_value(row.baseline),
            "-" if row.ratio is None else f"{row.ratio:.2f}x",
            row.goal,
            "" if row.ok is None else ("yes" if row.ok else "NO"),
        )
        for row in report.rows
    ]
    widths = [max(len(str(cells[i])) for cells in [head, *lines]) for i in range(len(head))]
    aligns = ["<", ">", ">", ">", "<", "<"]

    def fmt(cells: tuple) -> str:
        return " | ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, aligns, widths, strict=True))

    log("")
    log(f"== {report.title} ==")
    for note in report.notes:
        log(f"   {note}")
    log(fmt(head))
    log("-+-".join("-" * w for w in widths))
    for cells in lines:
        log(fmt(cells))
