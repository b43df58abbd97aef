"""kwiq on Dask: one kwiq.Corpus per partition, built and kept on the workers.

A ``kwiq.dask.Corpus`` holds one future per partition; each is a kwiq.Corpus
built (or loaded) on a worker and kept there, so a text never passes
through the client. Queries run where their partition lives and send back
only their result: the lines of a concordance, or partial counts that the
client merges before it computes any statistic once, from the merged
counts, with the functions a single Corpus uses. Results equal those of one
kwiq.Corpus of the same documents in the same order.

Arguments are checked on the client, exactly as kwiq.Corpus checks them
(queries are parsed there), before anything is submitted.

The package has three sides: what runs on the workers (``_worker``: the
Part each keeps, the tasks), the client's Corpus (``_client``), and the
lazy frame of a query's lines (``_frames``).
"""

# Besides __all__, every name kwiq.dask had as one module is importable from it.
from kwiq.dask._client import MANIFEST as MANIFEST
from kwiq.dask._client import MANIFEST_FORMAT as MANIFEST_FORMAT
from kwiq.dask._client import MANIFEST_VERSION as MANIFEST_VERSION
from kwiq.dask._client import Corpus, keyness
from kwiq.dask._frames import KwicFrame
from kwiq.dask._worker import BUILT_BYTES_PER_TEXT_BYTE as BUILT_BYTES_PER_TEXT_BYTE
from kwiq.dask._worker import Part as Part
from kwiq.dask._worker import Summary as Summary

__all__ = ["Corpus", "KwicFrame", "keyness"]
