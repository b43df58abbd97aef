"""kwiq.dask's manifest check: a saved kwiq.dask corpus's manifest.json that
lists no partition, or a file outside its directory, is a FormatError when
kwiq.dask.Corpus.load reads it, before any worker is asked to open a file
(so no cluster is needed here)."""

import json
import os

import pytest

import kwiq

pytest.importorskip("distributed")
pytest.importorskip("pandas")
import kwiq.dask  # noqa: E402


def manifest(files):
    return {
        "format": "kwiq.dask corpus",
        "version": 1,
        "partitions": [{"file": name, "docs": 1, "tokens": 1} for name in files],
    }


@pytest.mark.parametrize(
    "files, message",
    [
        ([], "lists no partition"),
        (["../part-00000.kwiq"], "is not a file name inside"),
        (["part-00000.kwiq", "sub/../../elsewhere.kwiq"], "is not a file name inside"),
        (["/etc/passwd"], "is not a file name inside"),
        (["..\\part.kwiq"], "is not a file name inside"),
        ([""], "is not a file name inside"),
        ([7], "is not a file name inside"),
    ],
)
def test_bad_manifests_are_format_errors(tmp_path, files, message):
    (tmp_path / "manifest.json").write_text(json.dumps(manifest(files)), encoding="utf-8")
    with pytest.raises(kwiq.FormatError, match=message):
        kwiq.dask.Corpus.load(tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        '{"format": "kwiq.dask corpus"}',
        "not json",
        '{"format": "kwiq.dask corpus", "version": "1", "partitions": []}',
    ],
)
def test_manifests_that_are_not_manifests(tmp_path, content):
    (tmp_path / "manifest.json").write_text(content, encoding="utf-8")
    with pytest.raises(kwiq.FormatError, match="manifest"):
        kwiq.dask.Corpus.load(tmp_path)


def test_files_inside_the_directory_are_listed(tmp_path):
    from kwiq.dask._client import manifest_files

    files = ["part-00000.kwiq", "sub/part-00001.kwiq", "sub/./p..kwiq"]
    assert manifest_files(manifest(files), str(tmp_path)) == [
        os.path.join(str(tmp_path), name) for name in files
    ]
