"""Splitting ``a,[b, c],{d: e}`` at its top-level commas: how the CLI reads lists of values
(``--grid key=1,[2, 3]``) and policy parameters (``name:k=[1, 2],j=3``)."""

from __future__ import annotations


def split_top_level(text: str) -> list[str]:
    """``text`` split at the commas outside brackets and braces, pieces unstripped."""
    pieces, depth, current = [], 0, []
    for char in text:
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        if char == "," and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces
