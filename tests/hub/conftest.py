"""Hub fixtures: a hub database in the test's folder, filled directly with kiosks, states and
interval counts, so the dashboard's figures can be checked against numbers we chose."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.hub import config as config_module
from kiosk.hub.config import HubConfig
from kiosk.hub.models import (
    IntervalCount,
    KioskState,
    RegisteredKiosk,
    Rejection,
    open_hub_database,
)

# A Wednesday in late November: this month and today are both under way, the report is due.
NOW = datetime(2026, 11, 25, 10, 0)


class HubData:
    """Writes hub rows the way ingest would have left them."""

    def add_kiosk(
        self,
        kiosk_id: str,
        commune: str,
        *,
        online: bool = True,
        last_seen: datetime | None = NOW,
        health: dict | None = None,
        version: str = "0.1.0",
        clock_synced: bool = True,
        dropped: int = 0,
        province: str = "20",
    ) -> None:
        """A registered kiosk and, unless it never reported (last_seen None), its state."""
        RegisteredKiosk.create(
            kiosk_id=kiosk_id, province=province, commune=commune, created_at=datetime(2025, 7, 1)
        )
        if last_seen is not None:
            KioskState.create(
                kiosk_id=kiosk_id,
                online=online,
                last_seen=last_seen,
                health=json.dumps(health or {}),
                version=version,
                clock_synced=clock_synced,
                dropped=dropped,
            )

    def count(
        self,
        kiosk_id: str,
        commune: str,
        start: datetime,
        metric: str,
        n: int,
        group: str = "adult",
        synced: bool = True,
    ) -> None:
        """One interval's total of one metric and reader group."""
        IntervalCount.create(
            kiosk_id=kiosk_id,
            commune=commune,
            interval_start=start,
            metric=metric,
            reader_group=group,
            n=n,
            seq=IntervalCount.select().count() + 1,
            clock_synced=synced,
        )

    def reject(self, reason: str, count: int, kiosk_id: str = "") -> None:
        """Messages of a kiosk ("": a topic that named none) rejected for a reason."""
        Rejection.create(kiosk_id=kiosk_id, reason=reason, count=count)


@pytest.fixture
def hub_config(tmp_path: Path, hub_database_url: str) -> HubConfig:
    """The packaged hub defaults, data in the test's folder, the database on each backend
    (tests/conftest.py), the dashboard on any free port."""
    overrides = {"hub": {"data_dir": str(tmp_path / "hub"), "database": hub_database_url}}
    config = config_module.load(None, overrides=overrides)
    return dataclasses.replace(config, web_host="127.0.0.1", web_port=0)


@pytest.fixture
def hub_data(hub_config: HubConfig):
    """An empty hub database (SQLite file or PostgreSQL database) and a writer for it."""
    database = open_hub_database(hub_config.database_url)
    yield HubData()
    database.close()
