"""Argument checks shared by the public functions, so that they accept the
same things and word their errors alike."""

from __future__ import annotations

import operator
from typing import Any

# Word counts (windows, thresholds) are uint32 in the core.
MAX_U32 = 0xFFFFFFFF


def as_int(value: Any, name: str, expected: str = "an int") -> int:
    """``value`` as an int; TypeError for a bool or anything not an integer."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be {expected}, not bool")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be {expected}, not {type(value).__name__}") from None


def int_in(value: Any, name: str, low: int, high: int = MAX_U32) -> int:
    """An int from ``low`` to ``high``, both included."""
    number = as_int(value, name)
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, not {number}")
    return number


def as_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {value!r}")
    return value


def at_least(value: Any, name: str, low: int, expected: str = "an int") -> int:
    """An int >= ``low``."""
    number = as_int(value, name, expected)
    if number < low:
        raise ValueError(f"{name} must be >= {low}, not {number}")
    return number


def words(value: Any, name: str) -> int:
    """A number of words of context, 0 .. 2**32 - 1."""
    number = at_least(value, name, 0)
    if number > MAX_U32:
        raise ValueError(f"{name} must be < 2**32, not {number}")
    return number


def window_sides(window: Any) -> tuple[int, int]:
    """(left, right) words of context from an int or a pair of ints."""
    if isinstance(window, (tuple, list)):
        if len(window) != 2:
            raise ValueError(
                "window must be an int or a (left, right) pair of ints, not a "
                f"{type(window).__name__} of {len(window)}"
            )
        return (
            words(window[0], "the left side of window"),
            words(window[1], "the right side of window"),
        )
    if isinstance(window, bool) or not hasattr(type(window), "__index__"):
        raise TypeError(
            f"window must be an int or a (left, right) pair of ints, not {type(window).__name__}"
        )
    both = words(window, "window")
    return both, both


def collocation_sides(window: Any, left: Any, right: Any) -> tuple[int, int]:
    """collocates' (left, right) words: ``left`` and ``right`` where given,
    else ``window``'s sides."""
    sides = window_sides(window)
    return (
        sides[0] if left is None else int_in(left, "left", 0),
        sides[1] if right is None else int_in(right, "right", 0),
    )


def each_window(counting: object) -> bool:
    """collocates' ``counting``: whether it is "windows" (each window
    counted on its own) rather than "positions"."""
    if counting not in ("positions", "windows"):
        raise ValueError(f"counting must be 'positions' or 'windows', not {counting!r}")
    return counting == "windows"


def check_side(side: Any) -> None:
    """clusters' ``side``: "left" or "right"."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', not {side!r}")


def query_list(query: Any) -> list[str]:
    """kwic's ``query``, a str or a list of str, as a non-empty list of
    str without repeats (an iterable is read once)."""
    if isinstance(query, str):
        return [query]
    if isinstance(query, bytes):
        raise TypeError("query must be str, not bytes")
    try:
        queries = list(dict.fromkeys(query))
    except TypeError:
        raise TypeError(f"query must be str or a list of str, not {type(query).__name__}") from None
    if not queries:
        raise ValueError("an empty list of queries")
    for q in queries:
        if not isinstance(q, str):
            raise TypeError(f"query must be str, not {type(q).__name__}")
    return queries
