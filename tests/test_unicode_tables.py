import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(
    unicodedata.unidata_version != "14.0.0",
    reason=f"the tables are pinned to Unicode 14.0.0 (CPython 3.11); this Python has "
    f"{unicodedata.unidata_version}",
)
def test_generated_header_is_up_to_date():
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "gen_unicode_tables.py"), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
