"""Chinese sentences in the templates use full-width punctuation: no ASCII "(" ")" ":" "," next
to a Han character in the text a template renders (its literal text and its string literals)."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "bot" / "templates"
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
LITERAL = re.compile(r'"([^"\\]*)"|\'([^\'\\]*)\'')
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’]")
ASCII = "(),:"


def rendered_pieces(source: str) -> list[tuple[int, str]]:
    """(offset, text) of what the template renders as written: the text between tags, and the
    string literals inside them."""
    pieces, at = [], 0
    for tag in TAG.finditer(source):
        pieces.append((at, source[at:tag.start()]))
        for lit in LITERAL.finditer(tag.group()):
            group = 1 if lit.group(1) is not None else 2
            pieces.append((tag.start() + lit.start(group), lit.group(group)))
        at = tag.end()
    pieces.append((at, source[at:]))
    return pieces


def offences(source: str) -> list[int]:
    """Offsets of ASCII punctuation with a Chinese character right beside it."""
    found = []
    for at, text in rendered_pieces(source):
        for i, ch in enumerate(text):
            if ch in ASCII and any(0 <= j < len(text) and CHINESE.match(text[j]) for j in (i - 1, i + 1)):
                found.append(at + i)
    return found


def test_offences_are_found():
    assert offences("已收到:{{ n }} 个文件,继续") == [3, 15]
    assert offences('{{ "(牵头)" if lead }}') == [4, 7]
    assert offences("{% if x %}(3分){% endif %}") == [13]
    assert offences("时间 09:00, 12:30 {{ d|join(',') }} {\"a\": 1}") == []


def test_templates_use_full_width_punctuation_in_chinese():
    bad = []
    for path in sorted(TEMPLATES.glob("*.j2")):
        source = path.read_text(encoding="utf-8")
        for at in offences(source):
            line = source.count("\n", 0, at) + 1
            bad.append(f"{path.name}:{line}: {source[max(0, at - 8):at + 8]!r}")
    assert not bad, "ASCII punctuation in Chinese text:\n" + "\n".join(bad)
