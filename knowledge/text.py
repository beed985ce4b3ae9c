"""Chinese text as the question path compares it: one folded form, and words.

Officers type in whatever their input method gives: traditional characters ("第15號指標"),
full-width digits, a homophone picked from the pinyin list ("工信句"). Everything that compares
a question with the plan's own words folds both sides the same way first (``fold``: NFKC, then
traditional → simplified with OpenCC, lower case), and splits them into words with the jieba
algorithm (``words``: rjieba, jieba's dictionary and HMM in Rust; loading it costs about 0.15 s
once per process, against 1.7 s for the pure-Python jieba on the same machine). The plan's own
terms (unit names, indicator titles, "5G") are added to the dictionary when a campaign's lexicon
is built, so a term the plan uses is one word.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

import opencc

_T2S = opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=4096)
def simplified(text: str) -> str:
    """``text`` after NFKC with traditional characters made simplified, case kept (for display)."""
    return _T2S.convert(unicodedata.normalize("NFKC", text or ""))


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """``text`` in the one form comparisons use: NFKC, simplified characters, lower case.

    Character for character where it can be: OpenCC's t2s maps one character to one, so an
    offset in the folded text is the offset in the typed one (NFKC keeps lengths for the CJK,
    full-width digit and letter ranges officers type)."""
    return simplified(text).lower()


@functools.cache
def _tokenizer():  # noqa: ANN202 - rjieba has no type information
    import rjieba

    return rjieba


_added: set[str] = set()


def add_words(words: Iterable[str]) -> None:
    """Make each of ``words`` (folded) one word for ``words()``: the plan's own terms."""
    tok = _tokenizer()
    for w in words:
        w = fold(w).strip()
        if len(w) >= 2 and w not in _added:
            _added.add(w)
            tok.add_word(w, 20000, None)
    words_of.cache_clear()
    search_words_of.cache_clear()
    is_function_word.cache_clear()


# jieba's parts of speech of words that name nothing a plan could lack: locality (上面, 最后),
# pronouns (这块, 啥), prepositions, conjunctions (只有), particles, interjections (adverbs are not:
# jieba tags 进度 and 同意 so)
_FUNCTION_TAGS = frozenset({"f", "r", "p", "c", "y", "e", "o"})


@functools.lru_cache(maxsize=8192)
def is_function_word(word: str) -> bool:
    """Whether jieba's dictionary tags ``word`` (folded, alone) as a function word: "最后上面来验收
    是啥时候" asks about 验收, not about a 上面 the plan never writes."""
    if word.startswith("每"):  # 每月, 每周: jieba's pronouns, but a frequency is asked about
        return False
    if _ASKING.fullmatch(word):  # "哪年哪月", "几月份": a question word jieba keeps whole, asking only
        return True
    tag = tag_of(word)
    return tag in _FUNCTION_TAGS or tag.startswith("u")


# Words made of a question word and what it counts ("哪年哪月", "哪一年", "几月几号"): they ask.
_ASKING = re.compile(r"(?:(?:哪|几)[一个]?[年月日号天周时]份?)+")


def tag_of(word: str) -> str:
    """jieba's part of speech of ``word`` alone ("" when it cuts it in two)."""
    tagged = _tokenizer().tag(word)
    return tagged[0][1] if len(tagged) == 1 else ""


def is_word(window: str) -> bool:
    """Whether ``window`` (folded) is a word of the tokenizer's dictionary ("分管", "百分之")."""
    return bool(_tokenizer().has_word(window))


def dictionary_size() -> int:
    """How many words ``add_words`` has added: what was cut before it grew may cut differently now."""
    return len(_added)


@functools.lru_cache(maxsize=8192)
def words_of(text: str) -> tuple[str, ...]:
    """The words of ``text`` (folded), without spaces and punctuation."""
    return tuple(w for w in _tokenizer().cut(fold(text), True) if w.strip() and not _is_punct(w))


@functools.lru_cache(maxsize=8192)
def search_words_of(text: str) -> tuple[str, ...]:
    """The words of ``text`` in jieba's search mode: each word and the dictionary words inside it
    ("农村电商" → 农村, 电商, 农村电商), so a part of a compound matches the compound."""
    return tuple(w for w in _tokenizer().cut_for_search(fold(text), True) if w.strip() and not _is_punct(w))


def _is_punct(word: str) -> bool:
    return all(unicodedata.category(c)[0] in "PSZ" for c in word)
