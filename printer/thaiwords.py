"""Where a line of Thai may break on the slip: between dictionary words (PyThaiNLP, newmm).

Thai writes no spaces between words, so a line broken between any two syllables splits words
("ประจำตัวประ / ชาชน"). The word list is PyThaiNLP's (about 62,000 words) plus the words of a
queue slip it lacks. Chosen over ICU's BreakIterator (PyICU): a pure-Python wheel, where PyICU
builds from source against libicu-dev (minutes, a C++ compiler); it keeps compounds such as
"บัตรประจำตัวประชาชน" whole, where ICU's dictionary also splits real words ("จอแส|ดง|ผล"). It
costs more: about 0.5 s to import and load the word list, once per process, and some 20 MB; then
0.1–0.5 ms per text (bench/kiosk_print.py measures it). So it loads lazily, only in the process
that renders slips, and early (`warm_up_in_background` when the print worker starts).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

# Words of a queue slip that the dictionary lacks or segments badly.
EXTRA_WORDS = frozenset(
    {
        "หมายเลข",
        "หมายเลขคิว",
        "บัตรคิว",
        "ช่องบริการ",
        "จอแสดงผล",
        "คนพิการ",
        "ช่องทางพิเศษ",
    }
)

THAI_BLOCK = range(0x0E00, 0x0E80)

# Thai script's rules for where a line of the slip may break (printer.render), beside the words.
# Upper and lower marks stacked as high and low as Thai goes, plus Latin caps and descenders:
# every line gets the same box, so a line of marks never touches its neighbours.
LINE_PROBE = "ญี่ปุ่นฎฐู้ฤๅÁgjy"
# Vowels written after the consonant but belonging to its syllable: never start a line with them.
NO_BREAK_BEFORE = frozenset("\u0e30\u0e32\u0e33\u0e45\u0e46")  # ะ า ำ ๅ ๆ
# Vowels written before their consonant: never end a line with them.
NO_BREAK_AFTER = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44")  # เ แ โ ใ ไ
# Where a Thai syllable surely ends: before a leading vowel, after ะ ำ ๆ and after ์ (whose
# letter is silent). Not word boundaries, but better than an arbitrary cluster.
SYLLABLE_END = frozenset("\u0e30\u0e33\u0e46\u0e4c")  # ะ ำ ๆ ์
# A dictionary word boundary is no place to break right after an opening or before a closing
# mark ("(ป.3/ป.4)", "บัตรฯ").
NO_BREAK_AFTER_MARK = frozenset("([{“‘")
NO_BREAK_BEFORE_MARK = frozenset(")]}”’,.;:!?/%ฯๆ")
_lock = threading.Lock()


@dataclass(frozen=True)
class Boundaries:
    """Where a line of a text may break: `words` between the dictionary's words; `inner`
    inside a compound word, for a word wider than the line: index → level, 1 the outermost
    split (บัตรประจำตัว|ประชาชน), then 2 (บัตร|ประจำตัว), 3 (ประจำ|ตัว)."""

    words: frozenset[int] = frozenset()
    inner: Mapping[int, int] = field(default_factory=dict)


class _Dictionary:
    """The word list as a set, with the `prefixes` lookup newmm asks of a trie. PyThaiNLP's own
    trie takes about 1.4 s to build from the word list; the set takes about 0.2 s and finds
    prefixes as fast, looking only at the lengths of the words that start with the same two
    letters."""

    def __init__(self) -> None:
        from pythainlp.corpus.common import thai_words
        from pythainlp.tokenize.newmm import segment

        self.known = frozenset(w.strip() for w in (*thai_words(), *EXTRA_WORDS) if w.strip())
        lengths: dict[str, set[int]] = {}
        for word in self.known:
            lengths.setdefault(word[:2], set()).add(len(word))
        self.lengths = {start: sorted(sizes) for start, sizes in lengths.items()}
        self._segment = segment

    def __contains__(self, word: object) -> bool:
        return word in self.known

    def __len__(self) -> int:
        return len(self.known)

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        """The words that `text[start:]` begins with, shortest first."""
        found = [text[start]] if start < len(text) and text[start] in self.known else []
        room = len(text) - start
        for size in self.lengths.get(text[start : start + 2], ()):
            if size > room:
                break
            if size > 1 and text[start : start + size] in self.known:
                found.append(text[start : start + size])
        return found

    def words(self, text: str) -> list[str]:
        # newmm reads only `prefixes` of its "trie": this set stands in for one.
        words: list[str] = self._segment(text, self)  # type: ignore[arg-type]
        # Where two readings have as many words, newmm may take the shorter first word
        # (ดู|หมาย|เลขที่|จอ); the longer one is the usual reading (หมายเลข|ที่).
        for i in range(len(words) - 1):
            first, second = words[i], words[i + 1]
            for cut in range(len(second) - 1, 0, -1):
                longer, rest = first + second[:cut], second[cut:]
                if longer in self.known and rest in self.known:
                    words[i], words[i + 1] = longer, rest
                    break
        return words

    def parts(self, word: str) -> list[str] | None:
        """The fewest dictionary words, two or more, that spell `word`; None if there are none."""
        # best[i]: the fewest words that spell word[:i] (the whole word itself not counted).
        best: list[list[str] | None] = [[]] + [None] * len(word)
        for start in range(len(word)):
            path = best[start]
            if path is None:
                continue
            for prefix in self.prefixes(word, start):
                end = start + len(prefix)
                if start == 0 and end == len(word):
                    continue
                known = best[end]
                if known is None or len(path) + 1 < len(known):
                    best[end] = [*path, prefix]
        return best[len(word)]

    def inner(self, word: str, level: int = 1) -> dict[int, int]:
        """Where a compound word splits into dictionary words (level 1), and its parts again
        (level 2, 3): บัตรประจำตัว|ประชาชน, บัตร|ประจำตัว, ประจำ|ตัว. Index → level."""
        if level > _LEVELS or len(word) <= _SHORT_WORD:
            return {}
        parts = self.parts(word)
        if parts is None:
            return {}
        bounds: dict[int, int] = {}
        start = 0
        for part in parts:
            bounds.update({start + i: depth for i, depth in self.inner(part, level + 1).items()})
            start += len(part)
            bounds[start] = level
        del bounds[len(word)]
        return bounds


# Compound words split at most this deep, and words of this many letters or fewer not at all
# (ประชาชน, ที่อยู่).
_LEVELS = 3
_SHORT_WORD = 7


@functools.cache
def _build() -> _Dictionary:
    return _Dictionary()


def _dictionary() -> _Dictionary:
    # One build even when a render and the warm-up thread race for it.
    with _lock:
        return _build()


def has_thai(text: str) -> bool:
    return any(ord(char) in THAI_BLOCK for char in text)


@functools.lru_cache(maxsize=1024)
def word_boundaries(text: str) -> Boundaries:
    """Where one dictionary word of `text` ends and the next begins (indexes 0 < i < len)."""
    if not has_thai(text):
        return Boundaries()
    dictionary = _dictionary()
    words: set[int] = set()
    inner: dict[int, int] = {}
    index = 0
    for word in dictionary.words(text):
        if has_thai(word):
            inner.update({index + i: level for i, level in dictionary.inner(word).items()})
        index += len(word)
        words.add(index)
    words.discard(len(text))
    return Boundaries(frozenset(words), inner)


def warm_up() -> None:
    """Load the dictionary now (in a worker thread), so that the first slip does not wait."""
    word_boundaries("บัตรประจำตัวประชาชน")


_warming = threading.Event()


def warm_up_in_background() -> None:
    """Start loading the dictionary in a thread, once per process; returns at once."""
    with _lock:
        if _warming.is_set():
            return
        _warming.set()
    threading.Thread(target=warm_up, name="thai-words", daemon=True).start()
