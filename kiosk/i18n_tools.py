"""Translator tooling: find every user-facing string in the code and keep the `.po` files in
step with it (new strings added untranslated, translations kept, their order stable).

Run `python -m kiosk.i18n_tools` after adding or changing messages.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kiosk.i18n import parse_po

PACKAGE = Path(__file__).parent
MARKERS = {"_", "N_", "tr"}  # tr: the touch screens' marker (kiosk.ui.text), also in .kv files
KV_CALL = re.compile(r"""\btr\(\s*(['"])(.*?)(?<!\\)\1""")
HEADER = """# {language} translations of thuvien-kiosk.
# Entries marked "#, fuzzy" are unreviewed: used, but to be checked by a native speaker.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: {language}\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"""


def extract(root: Path = PACKAGE) -> dict[str, list[str]]:
    """Every string literal passed to _(), N_() or tr() under `root` (.py and .kv files),
    with where it appears."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                where = f"{path.relative_to(root.parent)}:{node.lineno}"
                found.setdefault(node.args[0].value, []).append(where)
    for path in sorted(root.rglob("*.kv")):
        text = path.read_text(encoding="utf-8")
        for match in KV_CALL.finditer(text):
            message = match.group(2).replace("\\'", "'").replace('\\"', '"')
            where = f"{path.relative_to(root.parent)}:{text.count(chr(10), 0, match.start()) + 1}"
            found.setdefault(message, []).append(where)
    return found


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render_po(
    language: str, messages: dict[str, list[str]], translations: dict[str, str], fuzzy: set[str]
) -> str:
    """A complete `.po` file for `language` holding `messages` in code order."""
    parts = [HEADER.format(language=language)]
    for msgid, places in messages.items():
        lines = [f"#: {' '.join(places[:3])}"]
        if msgid in fuzzy:
            lines.append("#, fuzzy")
        lines += [f"msgid {_quote(msgid)}", f"msgstr {_quote(translations.get(msgid, ''))}"]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def update(language: str, root: Path = PACKAGE) -> tuple[int, int]:
    """Rewrite `locale/<language>.po` for the current code; (total, untranslated) strings."""
    path = root / "locale" / f"{language}.po"
    old = parse_po(path.read_text("utf-8"), language) if path.is_file() else None
    messages = extract(root)
    translations = old.messages if old else {}
    path.write_text(
        render_po(language, messages, translations, old.fuzzy if old else set()), encoding="utf-8"
    )
    return len(messages), sum(1 for m in messages if not translations.get(m))


if __name__ == "__main__":
    for lang in ("vi",):
        total, missing = update(lang)
        print(f"{lang}: {total} strings, {missing} untranslated")
