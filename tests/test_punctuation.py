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
HTML = re.compile(r"</?[a-z]+[^>]*>")


def rendered_pieces(source: str) -> list[tuple[int, str]]:
    """(offset, text) of what the template renders as written: the text between tags (each tag
    left in as one NUL, so that what stands beside an expression can be seen), and the string
    literals inside the tags."""
    text, literals, at = [], [], 0
    for tag in TAG.finditer(source):
        text.append(source[at:tag.start()] + "\0" * len(tag.group()))
        for lit in LITERAL.finditer(tag.group()):
            group = 1 if lit.group(1) is not None else 2
            literals.append((tag.start() + lit.start(group), lit.group(group)))
        at = tag.end()
    text.append(source[at:])
    return [(0, "".join(text)), *literals]


def offences(source: str) -> list[int]:
    """Offsets of ASCII punctuation in Chinese text: beside a Chinese character, or beside a
    template expression on a line that is Chinese. HTML tags such as ``</b>`` in between do not
    count ("截止</b>:" is Chinese); "09:00", "#12" or "a, b" are not."""
    found = []
    for at, text in rendered_pieces(source):
        offset = 0
        for line in text.split("\n"):
            visible = HTML.sub(lambda m: "\1" * len(m.group()), line)
            chars = [(i, ch) for i, ch in enumerate(visible) if ch != "\1"]
            chinese = bool(CHINESE.search(line))
            for k, (i, ch) in enumerate(chars):
                beside = [chars[j][1] for j in (k - 1, k + 1) if 0 <= j < len(chars)]
                if ch in ASCII and any(CHINESE.match(b) or (chinese and b == "\0") for b in beside):
                    found.append(at + offset + i)
            offset += len(line) + 1
    return found


def test_offences_are_found():
    assert offences("已收到:{{ n }} 个文件,继续") == [3, 15]
    assert offences('{{ "(牵头)" if lead }}') == [4, 7]
    assert offences("{% if x %}(3分){% endif %}") == [10, 13]
    assert offences("<b>截止</b>:{{ day }}") == [9]
    assert offences("第{{ no }}项 {{ t }}({{ role }})") == [18, 29]
    assert offences("{{ a }}({{ b }})") == []  # no Chinese on the line
    assert offences("时间 09:00, 12:30 {{ d|join(',') }} {\"a\": 1}") == []


def test_templates_use_full_width_punctuation_in_chinese():
    bad = []
    for path in sorted(TEMPLATES.glob("*.j2")):
        source = path.read_text(encoding="utf-8")
        for at in offences(source):
            line = source.count("\n", 0, at) + 1
            bad.append(f"{path.name}:{line}: {source[max(0, at - 8):at + 8]!r}")
    assert not bad, "ASCII punctuation in Chinese text:\n" + "\n".join(bad)
