"""kwiq: fast keyword-in-context concordances with a C core.

>>> import kwiq
>>> letter = kwiq.sample()
>>> conc = letter.kwic("peace")
>>> len(conc)
11
"""

from kwiq._analysis import keyness
from kwiq._concordance import Concordance, Line
from kwiq._corpus import Corpus, kwic, sample, tokenize
from kwiq._explore import explore
from kwiq._files import FileDecodeError, SkippedFilesWarning
from kwiq._query import QueryError
from kwiq._saved import FormatError

__all__ = [
    "Corpus",
    "Concordance",
    "FileDecodeError",
    "FormatError",
    "Line",
    "QueryError",
    "SkippedFilesWarning",
    "explore",
    "keyness",
    "kwic",
    "sample",
    "tokenize",
]
__version__ = "0.1.0"
