"""Text to search words: normalisation, segmentation, the stored form and the query's parts.

Documents and queries go through the same ``normalise`` (NFKC, so full-width ＡＩ/５Ｇ become AI/5G;
traditional to simplified through OpenCC; lower case), then are cut into runs of Chinese characters and
runs of Latin letters or digits; everything else separates runs.

The stored form (``Proposal.search_text``) has two sections separated by `` | ``:

* words: jieba's search-mode words of every run (河套深港科技创新合作区 whole and as its parts) and the
  Latin words and numbers. They carry the user dictionary, rank whole words above parts of words and
  give the similar-proposal measure its vocabulary;
* grams: for every Chinese run, its overlapping two-character grams in order, then its last character
  alone. Any Chinese string of two or more characters is in the text exactly when its grams stand side
  by side here, so a word inside a longer word is always found, whatever the segmenter did. The lone
  last character keeps one run's grams from joining the next run's, and lets a one-character query
  match a prefix of some gram.

PostgreSQL reads both sections as one tsvector (positions in order), other databases as plain text.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jieba
import opencc

WORDS_FILE = Path(__file__).with_name("search_words.txt")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Runs: Chinese characters, or Latin letters and digits (after normalisation, so lower case).
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_IS_CJK = re.compile(rf"^[{_CJK}]+$")
# A proposal number typed as 第2023160号 or 2023160号 means the number itself.
_NUMBER = re.compile(r"第?\s*(\d{4,})\s*号")
SECTION = "|"
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8
_RELOAD_SECONDS = 60

jieba.setLogLevel(logging.WARNING)  # it announces every dictionary load otherwise
_converter = opencc.OpenCC("t2s")
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_loaded_at = -1e9
_loaded_words: frozenset[str] = frozenset()


def normalise(text: str) -> str:
    """The one form documents and queries are compared in: NFKC, simplified characters, lower case."""
    if not text:
        return ""
    return _converter.convert(unicodedata.normalize("NFKC", text)).lower()


def dictionary_words() -> dict[str, int]:
    """The user dictionary: the shipped file's words, then the admin's (``SearchTerm``), normalised."""
    words: dict[str, int] = {}
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            word, _, weight = line.partition(" ")
            words[normalise(word)] = int(weight or 50)
    try:
        from proposals.models import SearchTerm

        words.update({normalise(word): weight for word, weight in SearchTerm.objects.values_list("word", "weight")})
    except Exception:  # noqa: BLE001 - no table yet (before migrate): the file's words still apply
        pass
    return words


def tokenizer() -> jieba.Tokenizer:
    """jieba with our user dictionary; reloaded when the admin-edited words change (checked each minute)."""
    global _tokenizer, _loaded_at, _loaded_words
    now = time.monotonic()
    if _tokenizer is not None and now - _loaded_at < _RELOAD_SECONDS:
        return _tokenizer
    with _lock:
        words = dictionary_words()
        if _tokenizer is None or frozenset(words.items()) != _loaded_words:
            fresh = jieba.Tokenizer()
            fresh.initialize()
            for word, weight in words.items():
                fresh.add_word(word, freq=max(1, weight) * 1000)
            _tokenizer, _loaded_words = fresh, frozenset(words.items())
            _run_parts.cache_clear()
        _loaded_at = now
    return _tokenizer


def forget_dictionary() -> None:
    """Read the dictionary again at the next segmentation (after an edit, in this process)."""
    global _loaded_at
    _loaded_at = -1e9


def grams(run: str) -> list[str]:
    """A Chinese run's two-character grams in order, then its last character alone."""
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


@lru_cache(maxsize=100_000)
def _run_parts(run: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # Texts repeat their phrases (and a benchmark corpus repeats whole sentences): each run once.
    if not _IS_CJK.match(run):
        return (run,), ()
    words = tuple(word for word in _tokenizer.cut_for_search(run) if word.strip())
    return words, tuple(grams(run))


def runs(text: str) -> list[str]:
    return _RUN.findall(normalise(text))


def text_parts(*texts: str) -> tuple[list[str], list[str]]:
    """(words, grams) of the texts, in order."""
    tokenizer()  # loads or refreshes the dictionary that _run_parts uses
    words: list[str] = []
    all_grams: list[str] = []
    for text in texts:
        for run in runs(text or ""):
            run_words, run_grams = _run_parts(run)
            words.extend(run_words)
            all_grams.extend(run_grams)
    return words, all_grams


def stored_form(words: list[str], all_grams: list[str]) -> str:
    if not words and not all_grams:
        return ""
    return f" {' '.join(words)} {SECTION} {' '.join(all_grams)} "


def document_words(*texts: str) -> str:
    """The stored form of the texts (see the module's docstring)."""
    return stored_form(*text_parts(*texts))


def stored_words(search_text: str) -> list[str]:
    """The words section of a stored form."""
    return search_text.split(SECTION, 1)[0].split()


def is_chinese(piece: str) -> bool:
    return bool(_IS_CJK.match(piece))


@dataclass(frozen=True)
class Query:
    """What a typed query asks for.

    ``pieces``: every one must be in the text (a Chinese piece as a substring, a Latin word or number
    whole). ``phrases``: Chinese runs typed together that were cut into several pieces; a text with
    the whole run ranks above one with its pieces apart."""

    pieces: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.pieces)


def _pieces(run: str) -> list[str]:
    """A Chinese run cut into words; single characters stay with their neighbours (时长 is not 时 + 长)."""
    pieces: list[str] = []
    single = ""  # single characters waiting for a neighbour
    for word in tokenizer().cut(run):
        if len(word) == 1:
            single += word
            continue
        if len(single) == 1 and pieces:
            pieces[-1] += single
        elif len(single) == 1:
            word = single + word
        elif single:
            pieces.append(single)
        single = ""
        pieces.append(word)
    if len(single) == 1 and pieces:
        pieces[-1] += single
    elif single:
        pieces.append(single)
    return pieces


def parse_query(text: str) -> Query:
    """The query's pieces and phrases, normalised as documents are; empty when nothing is searchable."""
    normal = _NUMBER.sub(r" \1 ", normalise((text or "")[:MAX_QUERY_LENGTH]))
    pieces: dict[str, None] = {}
    phrases: dict[str, None] = {}
    for run in _RUN.findall(normal):
        if not is_chinese(run):
            pieces.setdefault(run, None)
            continue
        parts = _pieces(run)
        for piece in parts:
            pieces.setdefault(piece, None)
        if len(parts) > 1:
            phrases.setdefault(run, None)
    return Query(tuple(list(pieces)[:MAX_QUERY_WORDS]), tuple(list(phrases)[:MAX_QUERY_WORDS]))
