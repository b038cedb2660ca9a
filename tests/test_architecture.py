"""The house, checked over the import graph (an AST walk of every module of kiosk/): layers that
import one way only, no import circle, and the outside libraries each kept in their own room.
A new import that runs the wrong way fails here, with the file and the line."""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kiosk"

# Lowest first: a module may import from its own layer and the layers below it, never above.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "ground",
        (
            "kiosk",  # the package's own face (__version__)
            "kiosk.clock",
            "kiosk.text",
            "kiosk.isbn",
            "kiosk.communes",
            "kiosk.config",
            "kiosk.i18n",
            "kiosk.preferences",
            "kiosk.watchdog",
            "kiosk.threads",
        ),
    ),
    ("devices", ("kiosk.hardware",)),  # they report events; they never touch the store
    ("store", ("kiosk.store",)),
    (
        "core",
        (
            "kiosk.circulation",
            "kiosk.messages",
            "kiosk.counters",
            "kiosk.desk",
            "kiosk.readers",
            "kiosk.staff",
            "kiosk.catalog",
            "kiosk.ops",
            "kiosk.reports",
            "kiosk.receipt",
        ),
    ),
    ("voice", ("kiosk.audio",)),
    ("network", ("kiosk.telemetry", "kiosk.hub")),
    ("flows", ("kiosk.flows",)),
    ("screens", ("kiosk.screens", "kiosk.demo")),
    ("top", ("kiosk.wiring", "kiosk.cli", "kiosk.__main__")),
)

# Outside libraries and the only rooms that may import them.
CONFINED = {
    "kivy": ("kiosk.screens", "kiosk.demo"),
    "paho": ("kiosk.telemetry", "kiosk.hub"),
    "mfrc522": ("kiosk.hardware",),
    "pirc522": ("kiosk.hardware",),
    "RPi": ("kiosk.hardware",),
    "spidev": ("kiosk.hardware",),
    "evdev": ("kiosk.hardware",),
    "cv2": ("kiosk.hardware",),
    "picamera2": ("kiosk.hardware",),
    "pyzbar": ("kiosk.hardware",),
    "zxingcpp": ("kiosk.hardware",),
    "escpos": ("kiosk.hardware",),  # receipt printers (kiosk.hardware.printer)
}


@dataclass(frozen=True)
class Arrow:
    """`source` imports `target` (both kiosk modules) at `path:line`."""

    source: str
    target: str
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.source} -> {self.target}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(node: ast.AST, package: str) -> list[str]:
    """The full names an import statement brings in (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        parent = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*parent, *([base] if base else [])])
    names = [f"{base}.{a.name}" for a in node.names]
    # `from kiosk import i18n` imports the module kiosk.i18n; `from kiosk import __version__`
    # takes a name from kiosk itself
    return [n if n in modules() else base for n in names]


def owner(name: str) -> str | None:
    """The kiosk module that `name` lives in."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


@cache
def arrows() -> tuple[Arrow, ...]:
    found = []
    for source, path in modules().items():
        package = source if path.name == "__init__.py" else source.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for name in imported(node, package):
                target = owner(name) if name.startswith("kiosk") else None
                if target and target != source:
                    found.append(
                        Arrow(source, target, str(path.relative_to(PACKAGE.parent)), node.lineno)
                    )
    return tuple(found)


@cache
def outside_imports() -> tuple[tuple[str, str, str, int], ...]:
    """(module, top-level library, path, line) for every import of a non-kiosk library."""
    found = []
    for source, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                continue
            for name in imported(node, source):
                top = name.split(".")[0]
                if top != "kiosk":
                    found.append((source, top, str(path.relative_to(PACKAGE.parent)), node.lineno))
    return tuple(found)


def within(module: str, rooms: tuple[str, ...]) -> bool:
    return any(module == r or module.startswith(r + ".") for r in rooms)


def layer_of(module: str) -> int:
    """The layer's index: the most specific room that holds the module."""
    best, index = -1, None
    for n, (_name, rooms) in enumerate(LAYERS):
        for room in rooms:
            if within(module, (room,)) and len(room) > best:
                best, index = len(room), n
    assert index is not None, f"{module} is in no layer: add it to LAYERS"
    return index


def upward(all_arrows) -> list[str]:
    return [str(a) for a in all_arrows if layer_of(a.target) > layer_of(a.source)]


def circles(all_arrows) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a in all_arrows:
        graph[a.source].add(a.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def test_every_module_has_a_layer():
    for module in modules():
        layer_of(module)


def test_no_import_runs_up_a_layer():
    assert upward(arrows()) == []


def test_no_import_circle():
    assert circles(arrows()) == []


@pytest.mark.parametrize("library", sorted(CONFINED))
def test_outside_libraries_stay_in_their_rooms(library):
    rooms = CONFINED[library]
    strays = [
        f"{path}:{line}: {module} imports {library}"
        for module, top, path, line in outside_imports()
        if top == library and not within(module, rooms)
    ]
    assert strays == []


def test_the_checks_would_see_a_wrong_import():
    """An upward arrow and a circle put back are found (so the tests above can fail)."""
    back = Arrow("kiosk.store.migrations", "kiosk.catalog.titles", "kiosk/store/migrations.py", 1)
    assert upward([back]) == [str(back)]
    down = Arrow("kiosk.catalog.titles", "kiosk.store.migrations", "kiosk/catalog/titles.py", 1)
    assert circles([back, down]) == [["kiosk.catalog.titles", "kiosk.store.migrations"]]
    assert upward([Arrow("kiosk.counters", "kiosk.telemetry.uplink", "x", 1)])
    assert not upward([down])
