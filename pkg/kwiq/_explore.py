"""Where the concordance explorer opens from (``kwiq.explore``,
``Corpus.explore``, ``Concordance.explore``), without importing anywidget
before it is asked for: kwiq itself needs no widget library."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kwiq._explorer import Explorer


def explorer_class() -> type[Explorer]:
    """kwiq._explorer.Explorer; ImportError saying what to install when
    anywidget is not installed."""
    try:
        import anywidget  # noqa: F401  (only to tell what is missing)
    except ImportError:
        raise ImportError(
            "the explorer needs anywidget: pip install 'kwiq[explore]' (or pip install anywidget)"
        ) from None
    from kwiq._explorer import Explorer

    return Explorer


def explore(source: Any, query: str | None = None, **options: Any) -> Explorer:
    """The concordance explorer of ``source``: ``Corpus.explore(query,
    **options)`` for a Corpus, ``Concordance.explore(**options)`` for a
    Concordance (which takes no query: it shows its own). TypeError for
    anything else."""
    from kwiq._concordance import Concordance
    from kwiq._corpus import Corpus

    if isinstance(source, Concordance):
        if query is not None:
            raise TypeError("explore() of a Concordance takes no query: it shows its own")
        return source.explore(**options)
    if isinstance(source, Corpus):
        return source.explore(query, **options)
    raise TypeError(
        f"explore() takes a kwiq.Corpus or a kwiq.Concordance, not {type(source).__name__}"
    )
