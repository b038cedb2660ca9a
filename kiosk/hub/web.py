"""The hub's dashboard: a small stdlib HTTP server, pages in Vietnamese, live by polling.

Pages are rendered on the server (they read and print without JavaScript); `static/hub.js`
then polls the matching `/api/...` JSON every 10 seconds, updates the figures in place, draws
the daily chart as inline SVG and shows when it last updated. Nothing is fetched from outside:
the hub often runs where the Internet does not reach.

Every request runs in its own thread with its own database connection (peewee keeps one per
thread), closed when the request is done. Every value put into HTML is escaped; an unknown path
or commune is a 404; an unexpected error is logged and answered with a plain 500 page, never a
traceback.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

from kiosk.clock import SystemClock
from kiosk.hub import indicators as ind
from kiosk.hub import report
from kiosk.hub.config import HubConfig
from kiosk.hub.models import hub_db, open_hub_database
from kiosk.hub.report import esc, fmt_int, fmt_pct, fmt_time, met_label, source_label
from kiosk.i18n import N_, _

log = logging.getLogger(__name__)

POLL_SECONDS = 10
FIRST_REPORT_YEAR = 2020
PROVINCE_NAMES = {"20": "Lạng Sơn"}
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Scripts and styles only from the hub itself: an injected value could not run even if it
# slipped past the escaping.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
REJECTION_LABELS = {
    "bad_topic": N_("wrong topic"),
    "too_large": N_("too large"),
    "bad_json": N_("not valid JSON"),
    "bad_schema": N_("does not match the schema"),
    "topic_mismatch": N_("topic and content disagree"),
    "unregistered": N_("kiosk not registered to that commune"),
    "bad_number": N_("a whole number written as a fraction"),
    "bad_date": N_("a date or time that does not exist"),
    "bad_text": N_("text that cannot be stored"),
    "bad_counts": N_("the same count given twice"),
    "bad_interval": N_("not the start of an interval"),
    "unstorable": N_("could not be stored"),
}
HEALTH_LABELS = {
    "outbox_depth": N_("Messages waiting to be sent"),
    "outbox_dropped": N_("Messages dropped (outbox full)"),
    "disk_free_mb": N_("Free disk (MB)"),
    "cpu_temp_c": N_("CPU temperature (°C)"),
    "rfid": N_("Card reader"),
    "scanner": N_("Barcode scanner"),
    "uptime_s": N_("Running for (seconds)"),
    "latest_seq": N_("Last interval number sent"),
    "oldest_seq": N_("Oldest interval number kept"),
}
DEVICE_KEYS = ("rfid", "scanner")
DEVICE_STATES = {
    "ok": N_("working"),
    "missing": N_("not connected"),
    "error": N_("error"),
    "unknown": N_("unknown"),
}


class NotFound(Exception):
    """The path, commune or year does not exist."""


@dataclass
class Response:
    """What a route returns."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: HTTPStatus = HTTPStatus.OK
    headers: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# JSON: the numbers the pages poll


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _status(online: int, total: int) -> str:
    if total and online == total:
        return "online"
    return "partial" if online else "offline"


def _commune_json(row: ind.CommuneRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "kiosks": row.kiosks,
        "online": row.online,
        "status": _status(row.online, row.kiosks),
        "last_seen": _iso(row.last_seen),
        "last_seen_text": fmt_time(row.last_seen),
        "active": row.active,
        "visits_today": row.visits_today,
        "visits_month": row.visits_month,
        "loans_today": row.loans_today,
        "loans_month": row.loans_month,
        "visits_source": row.source_month,
        "unsynced_month": row.unsynced_month,
    }


def _daily_json(daily: list[tuple[Any, int]]) -> list[dict[str, Any]]:
    return [
        {"day": day.isoformat(), "label": day.strftime("%d/%m"), "visits": n} for day, n in daily
    ]


def overview_json(view: ind.Overview) -> dict[str, Any]:
    """The province overview as JSON."""
    return {
        "generated_at": _iso(view.now),
        "time": f"{view.now:%H:%M:%S}",
        "kiosks": view.kiosk_count,
        "kiosks_online": view.kiosks_online,
        "visits_today": view.visits_today,
        "visits_month": view.visits_month,
        "loans_today": view.loans_today,
        "loans_month": view.loans_month,
        "unsynced_month": view.unsynced_month,
        "communes": [_commune_json(c) for c in view.communes],
        "daily": _daily_json(view.daily),
        "rejections": view.rejections,
        "rejected": sum(view.rejections.values()),
    }


def _kiosk_json(kiosk: ind.KioskInfo, now: datetime, active_days: int) -> dict[str, Any]:
    return {
        "kiosk_id": kiosk.kiosk_id,
        "status": "online" if kiosk.online else "offline",
        "last_seen": _iso(kiosk.last_seen),
        "last_seen_text": fmt_time(kiosk.last_seen),
        "active": ind.is_active(kiosk, now, active_days),
        "version": kiosk.version,
        "clock_synced": kiosk.clock_synced,
        "dropped": kiosk.dropped,
        "rejected": sum(kiosk.rejected.values()),
        "rejections": kiosk.rejected,
        "misdated": kiosk.misdated,
        "lost": kiosk.lost,
        "health": {k: v for k, v in kiosk.health.items() if k != "stamp"},
    }


@dataclass(frozen=True)
class CommuneView:
    """One commune's page data."""

    code: str
    name: str
    row: ind.CommuneRow | None
    kiosks: list[ind.KioskInfo]
    daily: list[tuple[Any, int]]
    now: datetime


def commune_view(config: HubConfig, code: str, now: datetime) -> CommuneView:
    """Everything the commune page shows; NotFound if the province has no such commune."""
    if code not in ind.province_communes(config.province):
        raise NotFound(code)
    rows = ind.commune_rows(config.province, now, config.active_days, commune=code)
    return CommuneView(
        code=code,
        name=ind.commune_name(code),
        row=rows[0] if rows else None,
        kiosks=ind.kiosks(config.province, code),
        daily=ind.daily_visits(now.date(), commune=code),
        now=now,
    )


def commune_json(view: CommuneView, active_days: int) -> dict[str, Any]:
    """One commune as JSON."""
    row = _commune_json(view.row) if view.row else None
    return {
        "generated_at": _iso(view.now),
        "time": f"{view.now:%H:%M:%S}",
        "code": view.code,
        "name": view.name,
        **{k: (row or {}).get(k, 0) for k in _COMMUNE_FIGURES},
        "visits_source": (row or {}).get("visits_source", ind.SOURCE_NONE),
        "kiosks": [_kiosk_json(k, view.now, active_days) for k in view.kiosks],
        "daily": _daily_json(view.daily),
    }


_COMMUNE_FIGURES = ("visits_today", "visits_month", "loans_today", "loans_month", "unsynced_month")


def plan_json(plan: ind.Plan) -> dict[str, Any]:
    """The plan's indicators as JSON."""
    return {
        "generated_at": _iso(plan.now),
        "time": f"{plan.now:%H:%M:%S}",
        "communes_total": plan.communes_total,
        "active_communes": len(plan.active),
        "active": plan.active,
        "share": round(plan.share, 1),
        "target_year": plan.target_year,
        "target_share": plan.target_share,
        "share_met": plan.share_met,
        "visits_ytd": plan.visits_ytd,
        "visits_ytd_last_year": plan.visits_ytd_last_year,
        "growth_ytd": None if plan.growth_ytd is None else round(plan.growth_ytd, 1),
        "growth_target": plan.growth_target,
        "growth_met": plan.growth_met,
        "years": [
            {
                "year": y.year,
                "visits": y.visits,
                "growth": None if y.growth is None else round(y.growth, 1),
                "target": y.target,
                "met": y.met,
            }
            for y in plan.years
        ],
    }


# ---------------------------------------------------------------------------------------------
# HTML


def _labels() -> dict[str, str]:
    """Words the script needs, translated on the server."""
    return {
        "online": _("online"),
        "offline": _("offline"),
        "partial": _("partly online"),
        "updated": _("Updated {time}"),
        "stale": _("Connection to the hub lost; last updated {time}"),
        "yes": _("yes"),
        "no": _("no"),
        "met": _("met"),
        "not_met": _("not met"),
        "no_data": _("no data to compare"),
        "chart": _("Visits per day, last 30 days"),
        "visits": _("visits"),
        **{f"device_{state}": _(label) for state, label in DEVICE_STATES.items()},
    }


def finite(data: Any) -> Any:
    """The data with NaN and ±Infinity as None: Python writes them, but they are not JSON and
    a browser's JSON.parse fails on the whole document."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [finite(v) for v in data]
    return data


def _json_for_html(data: Any) -> str:
    """JSON safe inside a <script> element ("</script>" cannot close it)."""
    text = json.dumps(finite(data), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page(title: str, body: str, api: str = "", nav: str = "") -> bytes:
    """A complete page: header with navigation, the body, the live-update script."""
    links = [
        ("overview", "/", _("Province overview")),
        ("plan", "/plan", _("Provincial plan")),
    ]
    items = "".join(
        f'<a href="{href}"{" aria-current=page" if key == nav else ""}>{esc(text)}</a>'
        for key, href, text in links
    )
    api_attr = f' data-api="{esc(api)}" data-poll="{POLL_SECONDS}"' if api else ""
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · {esc(_("Grassroots libraries"))}</title>
<link rel="stylesheet" href="/static/hub.css">
</head>
<body{api_attr}>
<header class="top noprint">
  <span class="brand">{esc(_("Grassroots libraries"))}</span>
  <nav>{items}</nav>
  <span class="updated" id="updated" aria-live="polite"></span>
</header>
<main>
{body}
</main>
<script type="application/json" id="labels">{_json_for_html(_labels())}</script>
<script src="/static/hub.js"></script>
</body>
</html>
""".encode()


def _badge(status: str) -> str:
    labels = {"online": _("online"), "offline": _("offline"), "partial": _("partly online")}
    return f'<span class="badge badge-{esc(status)}">{esc(labels.get(status, status))}</span>'


def _card(label: str, key: str, value: str) -> str:
    return (
        f'<div class="card"><div class="card-label">{esc(label)}</div>'
        f'<div class="card-value" data-live="{esc(key)}">{esc(value)}</div></div>'
    )


def _commune_href(code: str) -> str:
    return "/commune/" + quote(code, safe="")


def _chart(title: str) -> str:
    """The place the script draws the daily chart in."""
    return (
        f"<section><h2>{esc(title)}</h2>"
        f'<div class="chart" id="chart" role="img" aria-label="{esc(title)}"></div></section>'
    )


def _notes(unsynced: int) -> str:
    notes = [report.visits_note()]
    # Always present, hidden at zero, so the script can show it when such counts arrive.
    flag = (
        f'<li class="flag" data-hide-zero="unsynced_month"{"" if unsynced else " hidden"}>'
        f"{esc(_('Intervals this month stamped before the kiosk clock was set (counted):'))} "
        f'<span data-live="unsynced_month">{fmt_int(unsynced)}</span></li>'
    )
    return '<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + flag + "</ul>"


def _ingest_alarm(stopped: bool) -> str:
    if not stopped:
        return ""
    text = _("The hub has stopped taking in the kiosks' messages: restart it (kiosk-hub.service).")
    return f'<p class="flag" role="alert">{esc(text)}</p>'


def overview_page(view: ind.Overview, province_name: str, ingest_stopped: bool = False) -> bytes:
    """The province overview (with an alarm when the ingest has stopped)."""
    data = overview_json(view)
    cards = "".join(
        [
            _card(_("Kiosks online"), "kiosks_online", fmt_int(view.kiosks_online)),
            _card(_("Visits today"), "visits_today", fmt_int(view.visits_today)),
            _card(_("Visits this month"), "visits_month", fmt_int(view.visits_month)),
            _card(_("Loans today"), "loans_today", fmt_int(view.loans_today)),
            _card(_("Loans this month"), "loans_month", fmt_int(view.loans_month)),
        ]
    )
    head = "".join(
        f"<th{cls}>{esc(text)}</th>"
        for text, cls in [
            (_("Commune"), ""),
            (_("Status"), ""),
            (_("Last seen"), ""),
            (_("Visits today"), ' class="num"'),
            (_("Visits this month"), ' class="num"'),
            (_("Loans today"), ' class="num"'),
            (_("Loans this month"), ' class="num"'),
        ]
    )
    rows = "".join(_overview_row(c) for c in data["communes"])
    if not rows:
        rows = f'<tr><td colspan="7">{esc(_("No commune has a kiosk yet."))}</td></tr>'
    sub = _("{kiosks} kiosks registered · figures as of {time}").format(
        kiosks=fmt_int(view.kiosk_count), time=fmt_time(view.now)
    )
    body = f"""
<h1>{esc(_("Province overview"))} · {esc(province_name)}</h1>
{_ingest_alarm(ingest_stopped)}
<p class="sub">{esc(sub)}</p>
<div class="cards">{cards}</div>
{_chart(_("Visits per day, last 30 days"))}
<section>
<h2>{esc(_("Communes with a kiosk"))}</h2>
<div class="scroll">
<table class="grid" data-list="communes">
<thead><tr>{head}</tr></thead>
<tbody>{rows}</tbody>
</table>
</div>
{_notes(view.unsynced_month)}
</section>
{_rejections(view.rejections)}
"""
    return page(_("Province overview"), body, api="/api/overview", nav="overview")


def _overview_row(c: dict[str, Any]) -> str:
    several = _("{n} kiosks").format(n=c["kiosks"])
    cells = [
        f'<td><a href="{esc(_commune_href(c["code"]))}">{esc(c["name"])}</a>'
        + (f' <span class="muted">({esc(several)})</span>' if c["kiosks"] > 1 else "")
        + "</td>",
        f'<td data-k="status">{_badge(c["status"])}</td>',
        f'<td data-k="last_seen_text">{esc(c["last_seen_text"])}</td>',
    ]
    for key in ("visits_today", "visits_month", "loans_today", "loans_month"):
        cells.append(f'<td class="num" data-k="{key}">{fmt_int(c[key])}</td>')
    return f'<tr data-id="{esc(c["code"])}">{"".join(cells)}</tr>'


def _rejections(found: dict[str, int]) -> str:
    total = sum(found.values())
    rows = "".join(
        f"<tr><td>{esc(_(REJECTION_LABELS[r]) if r in REJECTION_LABELS else r)}</td>"
        f'<td class="num">{fmt_int(n)}</td></tr>'
        for r, n in found.items()
    )
    if not rows:
        rows = f'<tr><td colspan="2">{esc(_("None."))}</td></tr>'
    return f"""
<section>
<h2>{esc(_("Rejected messages"))}: <span data-live="rejected">{fmt_int(total)}</span></h2>
<table class="grid narrow"><thead><tr><th>{esc(_("Reason"))}</th>
<th class="num">{esc(_("Messages"))}</th></tr></thead><tbody>{rows}</tbody></table>
</section>"""


def commune_page(view: CommuneView, active_days: int) -> bytes:
    """One commune: its figures, its kiosks and their health, its daily chart."""
    data = commune_json(view, active_days)
    cards = "".join(
        _card(label, key, fmt_int(data[key]))
        for label, key in [
            (_("Visits today"), "visits_today"),
            (_("Visits this month"), "visits_month"),
            (_("Loans today"), "loans_today"),
            (_("Loans this month"), "loans_month"),
        ]
    )
    kiosks = "".join(_kiosk_block(k) for k in data["kiosks"])
    if not kiosks:
        kiosks = f"<p>{esc(_('No kiosk is registered in this commune.'))}</p>"
    source = source_label(data["visits_source"])
    body = f"""
<p class="crumbs noprint"><a href="/">{esc(_("Province overview"))}</a> ›</p>
<h1>{esc(view.name)} <span class="muted">({esc(view.code)})</span></h1>
<div class="cards">{cards}</div>
{_chart(_("Visits per day, last 30 days"))}
<section>
<h2>{esc(_("Kiosks"))}</h2>
<div class="kiosks" data-list="kiosks">{kiosks}</div>
<ul class="notes">
  <li>{esc(_("Visits this month counted by"))}: {esc(source)}.</li>
  <li>{esc(report.visits_note())}</li>
  {_flag(data["unsynced_month"])}
</ul>
</section>
"""
    return page(view.name, body, api=f"/api/commune/{quote(view.code, safe='')}", nav="")


def _flag(unsynced: int) -> str:
    if not unsynced:
        return ""
    return f'<li class="flag">{esc(report.unsynced_note(unsynced))}</li>'


def _health_value(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key in DEVICE_KEYS and value in DEVICE_STATES:
        return _(DEVICE_STATES[value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        if float(value).is_integer():
            return fmt_int(int(value))
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _kiosk_block(k: dict[str, Any]) -> str:
    """One kiosk's state and health as a small definition table; cells the script refreshes
    carry the JSON key (and how to show it)."""
    figures = [
        (_("Status"), _badge(k["status"]), "status", ""),
        (_("Last seen"), esc(k["last_seen_text"]), "last_seen_text", ""),
        (_("Software version"), esc(k["version"] or "—"), "version", ""),
        (_("Clock set"), esc(_("yes") if k["clock_synced"] else _("no")), "clock_synced", ""),
    ]
    for key, value in k["health"].items():
        if key in ("version", "outbox_dropped"):
            continue  # shown above / below
        label = _(HEALTH_LABELS[key]) if key in HEALTH_LABELS else key
        fmt = "device" if key in DEVICE_KEYS else ""
        figures.append((label, esc(_health_value(key, value)), f"health.{key}", fmt))
    figures.append((_(HEALTH_LABELS["outbox_dropped"]), fmt_int(k["dropped"]), "dropped", ""))
    figures.append((_("Messages rejected"), fmt_int(k["rejected"]), "rejected", ""))
    figures.append(
        (_("Intervals held apart (kiosk clock wrong)"), fmt_int(k["misdated"]), "misdated", "")
    )
    figures.append((_("Intervals lost (no longer on the kiosk)"), fmt_int(k["lost"]), "lost", ""))
    rows = "".join(
        f'<tr><th>{esc(label)}</th><td data-k="{esc(key)}"'
        f"{f' data-fmt={chr(34)}{fmt}{chr(34)}' if fmt else ''}>{value}</td></tr>"
        for label, value, key, fmt in figures
    )
    return (
        f'<div class="kiosk" data-id="{esc(k["kiosk_id"])}">'
        f"<h3>{esc(_('Kiosk'))} {esc(k['kiosk_id'])}</h3>"
        f'<table class="grid narrow">{rows}</table></div>'
    )


def plan_page(plan: ind.Plan, province_name: str, report_years: list[int]) -> bytes:
    """The plan's indicators, with links to the annual reports."""
    body = f"""
<h1>{esc(_("Provincial plan"))} · {esc(province_name)}</h1>
{_share_section(plan)}
{_growth_section(plan)}
<section>
<h2>{esc(_("Annual report (due before 10 December)"))}</h2>
<ul>{_report_links(report_years)}</ul>
<ul class="notes"><li>{esc(report.visits_note())}</li></ul>
</section>
"""
    return page(_("Provincial plan"), body, api="/api/plan", nav="plan")


def _share_section(plan: ind.Plan) -> str:
    target = _("{percent} by {year}").format(
        percent=fmt_pct(plan.target_share), year=plan.target_year
    )
    rule = _("Active: a kiosk of the commune reported in the last {days} days.")
    names = ", ".join(ind.commune_name(c) for c in plan.active) or "—"
    return f"""
<section class="indicator">
<h2>{esc(_("Communes with an active model library"))}</h2>
<p class="big"><span data-live="active_communes">{len(plan.active)}</span>/{plan.communes_total}
  = <span data-live="share" data-fmt="pct">{esc(fmt_pct(plan.share))}</span></p>
{_progress(plan.share, plan.target_share)}
<p>{esc(_("Target"))}: {esc(target)} —
  <strong data-live="share_met" data-fmt="met">{esc(met_label(plan.share_met))}</strong></p>
<p class="muted">{esc(rule.format(days=plan.active_days))}</p>
<details><summary>{esc(_("Active communes"))}</summary><p>{esc(names)}</p></details>
</section>"""


def _growth_section(plan: ind.Plan) -> str:
    target = _("+{percent} a year").format(percent=fmt_pct(plan.growth_target))
    rows = "".join(
        f"<tr><td>{y.year}</td><td class='num'>{fmt_int(y.visits)}</td>"
        f"<td class='num'>{esc(fmt_pct(y.growth, signed=True))}</td>"
        f"<td class='num'>+{esc(fmt_pct(y.target))}</td><td>{esc(met_label(y.met))}</td></tr>"
        for y in plan.years
    )
    if not rows:
        rows = f'<tr><td colspan="5">{esc(_("No full year of data yet."))}</td></tr>'
    targets = _(
        "Plan targets: visits +10% a year to 2026, +15% a year to 2030, +30% a year to 2045; "
        "communes with the model: 15% by 2026, 50% by 2030, 90% by 2045."
    )
    growth = fmt_pct(plan.growth_ytd, signed=True)
    return f"""
<section class="indicator">
<h2>{esc(_("Growth of visits"))}</h2>
<p>{esc(_("This year to date"))}:
  <strong data-live="visits_ytd">{fmt_int(plan.visits_ytd)}</strong> ·
  {esc(_("same period last year"))}:
  <strong data-live="visits_ytd_last_year">{fmt_int(plan.visits_ytd_last_year)}</strong></p>
<p class="big"><span data-live="growth_ytd" data-fmt="signed">{esc(growth)}</span></p>
<p>{esc(_("Target"))}: {esc(target)} —
  <strong data-live="growth_met" data-fmt="met">{esc(met_label(plan.growth_met))}</strong></p>
<table class="grid narrow">
<thead><tr><th>{esc(_("Year"))}</th><th class="num">{esc(_("Visits"))}</th>
<th class="num">{esc(_("Growth"))}</th><th class="num">{esc(_("Target"))}</th>
<th>{esc(_("Assessment"))}</th></tr></thead>
<tbody>{rows}</tbody></table>
<p class="muted">{esc(targets)}</p>
</section>"""


def _report_links(years: list[int]) -> str:
    return "".join(
        f'<li><a href="/report/{y}">{esc(_("Report {year}").format(year=y))}</a> · '
        f'<a href="/report/{y}.csv">{esc(_("CSV for Excel"))}</a></li>'
        for y in years
    )


def _progress(share: float, target: float) -> str:
    """A progress bar as inline SVG: the share filled, the target marked."""
    width = max(0.0, min(share, 100.0))
    return (
        '<svg class="progress" viewBox="0 0 100 8" preserveAspectRatio="none" '
        f'role="img" aria-label="{esc(fmt_pct(share))}">'
        '<rect class="progress-bg" x="0" y="0" width="100" height="8"/>'
        f'<rect class="progress-fill" data-bar="share" x="0" y="0" width="{width:.1f}" height="8"/>'
        f'<rect class="progress-target" x="{min(target, 100.0) - 0.3:.1f}" y="0" width="0.6" '
        'height="8"/></svg>'
    )


def report_page(rep: ind.AnnualReport, province_name: str) -> bytes:
    """The printable annual report."""
    return page(report.title(rep), report.html_body(rep, province_name), nav="plan")


def error_page(status: HTTPStatus) -> bytes:
    """A plain error page."""
    message = _("Page not found.") if status == HTTPStatus.NOT_FOUND else _("Something went wrong.")
    body = f'<h1>{esc(message)}</h1><p><a href="/">{esc(_("Province overview"))}</a></p>'
    return page(message, body)


# ---------------------------------------------------------------------------------------------
# Routes


class Dashboard:
    """Maps paths to responses for one hub configuration."""

    def __init__(
        self,
        config: HubConfig,
        clock: Callable[[], datetime] | None = None,
        ingest_alive: Callable[[], bool] | None = None,
    ):
        self.config = config
        self.clock = clock or SystemClock().now
        self.ingest_alive = ingest_alive  # None: the dashboard runs without an ingest
        self.province_name = PROVINCE_NAMES.get(config.province, config.province)
        self.routes: list[tuple[re.Pattern[str], Callable[..., Response]]] = [
            (re.compile(r"/"), self.overview),
            (re.compile(r"/commune/([0-9]{5})"), self.commune),
            (re.compile(r"/plan"), self.plan),
            (re.compile(r"/report/([0-9]{4})\.csv"), self.report_csv),
            (re.compile(r"/report/([0-9]{4})"), self.report_html),
            (re.compile(r"/api/overview"), self.api_overview),
            (re.compile(r"/api/commune/([0-9]{5})"), self.api_commune),
            (re.compile(r"/api/plan"), self.api_plan),
            (re.compile(r"/api/health"), self.api_health),
            (re.compile(r"/static/([a-z0-9_-]+\.(?:css|js|svg))"), self.static),
        ]

    def handle(self, raw_path: str) -> Response:
        """The response for a GET of `raw_path`; NotFound propagates."""
        path = urlsplit(raw_path).path
        if len(path) > 1:
            path = path.rstrip("/")
        for pattern, route in self.routes:
            match = pattern.fullmatch(path)
            if match:
                return route(*match.groups())
        raise NotFound(path)

    def _days(self) -> int:
        return self.config.active_days

    def _ingest_stopped(self) -> bool:
        return self.ingest_alive is not None and not self.ingest_alive()

    def overview(self) -> Response:
        view = ind.overview(self.config.province, self.clock(), self._days())
        return Response(overview_page(view, self.province_name, self._ingest_stopped()))

    def commune(self, code: str) -> Response:
        view = commune_view(self.config, code, self.clock())
        return Response(commune_page(view, self._days()))

    def plan(self) -> Response:
        now = self.clock()
        result = ind.plan(self.config.province, now, self._days())
        return Response(plan_page(result, self.province_name, self.report_years(now)))

    def report_years(self, now: datetime) -> list[int]:
        """Years a report can be made for: from the first data (or this year) to this year."""
        first = ind.first_year() or now.year
        return list(range(now.year, max(first, FIRST_REPORT_YEAR) - 1, -1))

    def _report(self, year: str) -> ind.AnnualReport:
        now = self.clock()
        if not FIRST_REPORT_YEAR <= int(year) <= now.year:
            raise NotFound(year)
        return ind.annual_report(self.config.province, int(year), now, self._days())

    def report_csv(self, year: str) -> Response:
        rep = self._report(year)
        filename = f"bao-cao-thu-vien-co-so-{rep.year}.csv"
        return Response(
            report.to_csv(rep, self.province_name),
            "text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def report_html(self, year: str) -> Response:
        return Response(report_page(self._report(year), self.province_name))

    def api_overview(self) -> Response:
        view = ind.overview(self.config.province, self.clock(), self._days())
        return _json({**overview_json(view), "ingest_stopped": self._ingest_stopped()})

    def api_health(self) -> Response:
        """For monitoring: 503 when the ingest thread has died (the page stays up, the
        counts would silently stop)."""
        if self.ingest_alive is None:
            return _json({"ingest": "absent"})
        if self.ingest_alive():
            return _json({"ingest": "running"})
        return _json({"ingest": "stopped"}, HTTPStatus.SERVICE_UNAVAILABLE)

    def api_commune(self, code: str) -> Response:
        view = commune_view(self.config, code, self.clock())
        return _json(commune_json(view, self._days()))

    def api_plan(self) -> Response:
        return _json(plan_json(ind.plan(self.config.province, self.clock(), self._days())))

    def static(self, name: str) -> Response:
        resource = resources.files("kiosk.hub").joinpath("static", name)
        if not resource.is_file():
            raise NotFound(name)
        suffix = name[name.rindex(".") :]
        return Response(
            resource.read_bytes(), STATIC_TYPES[suffix], headers={"Cache-Control": "no-cache"}
        )


def _json(data: Any, status: HTTPStatus = HTTPStatus.OK) -> Response:
    body = json.dumps(finite(data), ensure_ascii=False, allow_nan=False).encode()
    return Response(
        body, "application/json; charset=utf-8", status, headers={"Cache-Control": "no-store"}
    )


# ---------------------------------------------------------------------------------------------
# The server


class Handler(BaseHTTPRequestHandler):
    """Answers GET and HEAD; one database connection per request."""

    dashboard: Dashboard  # set on the subclass make_server creates
    server_version = "thuvien-hub"
    sys_version = ""

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        try:
            response = self._route()
            self._send(response, send_body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away

    def _route(self) -> Response:
        is_api = self.path.startswith("/api/")
        try:
            hub_db.connect(reuse_if_open=True)
            return self.dashboard.handle(self.path)
        except NotFound:
            status = HTTPStatus.NOT_FOUND
        except Exception:
            log.exception("dashboard request %s failed", self.path)
            status = HTTPStatus.INTERNAL_SERVER_ERROR
        finally:
            if not hub_db.is_closed():
                hub_db.close()
        if is_api:
            body = json.dumps({"error": status.phrase}).encode()
            return Response(body, "application/json; charset=utf-8", status)
        return Response(error_page(status), status=status)

    def _send(self, response: Response, send_body: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in {**SECURITY_HEADERS, **response.headers}.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


class Server(ThreadingHTTPServer):
    """A thread per request, and a listen backlog for a room full of browsers (the default
    of 5 refused or timed out 42 of 100 concurrent requests)."""

    request_queue_size = 128


def make_server(
    config: HubConfig,
    clock: Callable[[], datetime] | None = None,
    ingest_alive: Callable[[], bool] | None = None,
) -> ThreadingHTTPServer:
    """The dashboard's HTTP server on config.web_host:web_port (port 0: any free port), not yet
    serving: call `serve_forever()` in a thread, `shutdown()` to stop. `ingest_alive` says
    whether this process's ingest still runs (shown as an alarm, and on /api/health)."""
    if hub_db.obj is None:
        open_hub_database(config.database_url)
    dashboard = Dashboard(config, clock, ingest_alive)
    handler = type("DashboardHandler", (Handler,), {"dashboard": dashboard})
    server = Server((config.web_host, config.web_port), handler)
    server.daemon_threads = True
    return server
