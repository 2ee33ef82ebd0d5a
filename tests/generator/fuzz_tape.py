"""Choices read from bytes: a `Tape` over the bytes hypothesis draws, and generators of text,
numbers and values over it (fuzz_docs.py builds signature documents with them).

A hypothesis draw costs about 0.1 ms, and a document takes about 80 choices: drawn one by one, they
cost more than building and checking the package. So hypothesis draws only bytes (`DOCUMENT_BYTES`),
one draw per document. Zero bytes are the simplest choices, so hypothesis' shrinking (towards zero
bytes) still shrinks the document.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

# Enough for nearly every document (half read < 130 bytes, 1 in 1000 > 440); past the end, every
# choice is 0.
TAPE_SIZE = 512
DOCUMENT_BYTES = st.binary(min_size=TAPE_SIZE, max_size=TAPE_SIZE)


class Tape:
    """The choices of one document, read in order from bytes (0 once they run out)."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk.ljust(n, b"\0")

    def below(self, n: int) -> int:
        """A number in [0, n), 0 from zero bytes."""
        if n <= 256:
            pos = self.pos
            self.pos += 1
            return self.data[pos] % n if pos < len(self.data) else 0
        return int.from_bytes(self.take((n.bit_length() + 14) // 8), "little") % n

    def one_in(self, n: int) -> bool:
        """True once in `n` (never from a zero byte: that is the simplest choice)."""
        return self.below(n) == n - 1

    def pick(self, options: Sequence[T]) -> T:
        return options[self.below(len(options))]

    def flag(self) -> bool:
        return self.below(2) == 1


Gen = Callable[[Tape], Any]

# --- text -----------------------------------------------------------------------------------------

ODD_CHARS = [
    *"\x00\t\n\r\x0b\x0c\x1b\x7f\x85\xa0\xad'\"\\#{}%$`é名ß",
    *("\u0301", "\u2028", "\u2029", "\u202e", "\u200b", "\ufeff", "\ufffd", "\ud800", "\udfff"),
    *("\U0001f600", "\U0010ffff", "\U000e0001", "\u0130", "\u212a", "\uff21"),
]


def any_char(tape: Tape) -> str:
    """Any code point, surrogates too; mostly printable ASCII, often an odd one."""
    how = tape.below(8)
    if how < 4:
        return chr(32 + tape.below(95))
    if how == 4:
        return tape.pick(ODD_CHARS)
    if how == 5:
        return chr(tape.below(32))
    if how == 6:
        return chr(tape.below(0x10000))
    return chr(tape.below(0x110000))


def text_of(char: Gen, min_size: int, max_size: int) -> Gen:
    def draw(tape: Tape) -> str:
        size = min_size + tape.below(max_size - min_size + 1)
        return "".join(char(tape) for _ in range(size))

    return draw


def sampled(options: Sequence[Any]) -> Gen:
    return lambda tape: tape.pick(options)


def one_of(*gens: Gen) -> Gen:
    return lambda tape: tape.pick(gens)(tape)


# --- numbers ------------------------------------------------------------------------------------------

EDGE_INTS = [
    *(0, 1, -1, 2, 255, 256, -129, 2**31 - 1, -(2**31), 2**53 + 1, -(2**53) - 1),
    *(2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64, 2**64 - 1, -(2**64), 10**20, 10**400),
]
EDGE_FLOATS = [
    *(0.0, -0.0, 0.5, 1.0, -1.5, 0.1, 3.0, 1e16, 2.0**53, 1e300, -1e300, 1e-300),
    *(5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, math.inf, -math.inf, math.nan),
]


def integer(tape: Tape) -> int:
    """Any int: mostly small, often at an edge, sometimes anywhere in 64 bits or past them."""
    how = tape.below(6)
    if how < 3:
        return tape.below(256) - 128
    if how == 3:
        return tape.pick(EDGE_INTS)
    if how == 4:
        return int.from_bytes(tape.take(8), "little", signed=True)
    return int.from_bytes(tape.take(1 + tape.below(24)), "little", signed=tape.flag())


def bounded_int(lo: int, hi: int) -> Gen:
    def draw(tape: Tape) -> int:
        if tape.one_in(4):
            return tape.pick([lo, hi, 0 if lo <= 0 <= hi else lo])
        return lo + tape.below(hi - lo + 1)

    return draw


def real(tape: Tape) -> float:
    """Any float: small ones, edges (infinities, NaN, subnormals), or any 64-bit pattern."""
    how = tape.below(4)
    if how == 0:
        return (tape.below(2001) - 1000) / 8
    if how == 1:
        return float(tape.pick(EDGE_FLOATS))
    if how == 2:
        return (tape.below(2001) - 1000) * 10.0 ** (tape.below(41) - 20)
    value: float = struct.unpack("<d", tape.take(8))[0]
    return value


def bounded_real(lo: float, hi: float) -> Gen:
    def draw(tape: Tape) -> float:
        if tape.one_in(4):
            return tape.pick([lo, hi, 0.0])
        return lo + (hi - lo) * tape.below(2**16) / (2**16 - 1)

    return draw


BOOL = sampled([False, True])
INT64 = bounded_int(-(2**63), 2**63 - 1)
