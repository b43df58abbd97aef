"""Data safety (docs/hostile.md): save() replaces only
regular files and writes through links, ``kwiq build`` never writes over its
input, a corpus loaded with ``mmap=False`` survives any write to its file,
and only regular files are read, once each, even through symlink loops.

Where a hang is the failure mode (a FIFO, a loop), the case runs in a
child process with a timeout. The oracles are the file system itself (what
is at a path before and after, by lstat) and Python's own reading."""

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap

import pytest

import kwiq

TIMEOUT = 60


def child(code, *args, stdin=None):
    """Run code in a child Python; its result, failing on a hang."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def listing(directory):
    return sorted(os.listdir(directory))


@pytest.fixture
def corpus():
    return kwiq.Corpus(["The peace of the world.", "A war, then peace."], ids=["a", "b"])


def saved_bytes(corpus, tmp_path):
    """The bytes save() writes to a plain new path: the oracle of a save."""
    corpus.save(tmp_path / "plain.kwiq")
    data = (tmp_path / "plain.kwiq").read_bytes()
    os.unlink(tmp_path / "plain.kwiq")
    return data


# ---------------------------------------------------------------- save()


def test_save_onto_a_fifo_is_refused(tmp_path):
    """In a child: opening a FIFO for writing would block (no reader)."""
    os.mkfifo(tmp_path / "fifo")
    done = child(
        """
        import sys, kwiq
        try:
            kwiq.Corpus(["a text"]).save(sys.argv[1])
        except OSError as error:
            print(type(error).__name__, error)
        """,
        tmp_path / "fifo",
    )
    assert done.returncode == 0, done.stderr
    assert "a FIFO, not a regular file" in done.stdout
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)
    assert listing(tmp_path) == ["fifo"]  # no temporary file left


def test_save_onto_a_directory_or_a_device_is_refused(corpus, tmp_path):
    (tmp_path / "dir").mkdir()
    with pytest.raises(IsADirectoryError, match="a directory, not a regular file"):
        corpus.save(tmp_path / "dir")
    assert listing(tmp_path) == ["dir"] and listing(tmp_path / "dir") == []
    try:  # a node of /dev/null's device, in tmp_path, where replacing it would do no harm
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        return
    with pytest.raises(OSError, match="a character device, not a regular file"):
        corpus.save(tmp_path / "null")
    assert stat.S_ISCHR(os.lstat(tmp_path / "null").st_mode)
    assert listing(tmp_path) == ["dir", "null"]


def test_save_writes_through_a_symlink(corpus, tmp_path):
    expected = saved_bytes(corpus, tmp_path)
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "target.kwiq").write_bytes(b"old")
    os.symlink("real/target.kwiq", tmp_path / "link.kwiq")
    os.symlink("link.kwiq", tmp_path / "chain.kwiq")
    for name in ("link.kwiq", "chain.kwiq"):
        corpus.save(tmp_path / name)
        assert os.path.islink(tmp_path / name)
        assert (tmp_path / "real" / "target.kwiq").read_bytes() == expected
        assert kwiq.Corpus.load(tmp_path / name).ids == ("a", "b")
    # a dangling link: its target is made
    os.symlink("real/new.kwiq", tmp_path / "dangling.kwiq")
    corpus.save(tmp_path / "dangling.kwiq")
    assert os.path.islink(tmp_path / "dangling.kwiq")
    assert (tmp_path / "real" / "new.kwiq").read_bytes() == expected
    assert listing(tmp_path / "real") == ["new.kwiq", "target.kwiq"]


def test_save_replaces_never_rewrites_in_place(corpus, tmp_path):
    """A new inode each save: a reader of the old file (a mapping) keeps it whole."""
    path = tmp_path / "x.kwiq"
    corpus.save(path)
    before = os.stat(path)
    loaded = kwiq.Corpus.load(path)
    kwiq.Corpus(["another"]).save(path)
    assert os.stat(path).st_ino != before.st_ino
    assert [line.match for line in loaded.kwic("peace")] == ["peace", "peace"]


def kwiq_cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "kwiq", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_build_refuses_to_write_over_its_input(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("the first text\n", encoding="utf-8")
    (tmp_path / "texts" / "b.kwiq").write_text("not a corpus, an input\n", encoding="utf-8")
    os.symlink("texts/a.txt", tmp_path / "link.txt")
    before = {name: (tmp_path / "texts" / name).read_bytes() for name in ("a.txt", "b.kwiq")}
    for args in (
        ["texts/a.txt", "-o", "texts/a.txt"],  # the file itself
        ["texts/a.txt", "-o", "link.txt"],  # through a link
        ["link.txt", "-o", "texts/a.txt"],
        ["texts", "-o", "texts/a.txt"],  # found below a directory
        ["texts", "--include", "*", "-o", "texts/b.kwiq"],
        ["texts/*.kwiq", "-o", "texts/b.kwiq"],
    ):  # by a glob
        done = kwiq_cli("build", *args, cwd=tmp_path)
        assert done.returncode == 2, (args, done)
        assert "a build does not write over its input" in done.stderr
        assert "Traceback" not in done.stderr
        assert {name: (tmp_path / "texts" / name).read_bytes() for name in before} == before
        assert os.path.islink(tmp_path / "link.txt")
    # a CORPUS that is not an input, even in the input directory, is written
    done = kwiq_cli("build", "texts", "-o", "texts/c.kwiq", cwd=tmp_path)
    assert done.returncode == 0, done
    assert kwiq.Corpus.load(tmp_path / "texts" / "c.kwiq").ids == ("a.txt",)


# -------------------------------------------------------- load(mmap=False)

LOADED = """
    import pickle, sys, kwiq
    corpus = kwiq.Corpus.load(sys.argv[1], mmap=sys.argv[2] == "mapped")
    if sys.argv[2] == "read, then pickled":  # unpickled, it reads its file again
        corpus = pickle.loads(pickle.dumps(corpus))
    def answer():
        return [(line.doc, line.left, line.match, line.right)
                for query in ("peace", "the *", "/w.r/") for line in corpus.kwic(query)]
    print(answer(), flush=True)
    sys.stdin.readline()  # the parent writes over the file meanwhile
    print(answer(), flush=True)
    """


def write_over_a_loaded_file(tmp_path, how, mode):
    """A child loads x.kwiq (mapped or read); the parent writes over it
    ``how`` while it lives; the child answers again. The child's process."""
    texts = [f"The peace of the world, a war {k} and peace again." for k in range(2000)]
    kwiq.Corpus(texts).save(tmp_path / "x.kwiq")
    size = os.path.getsize(tmp_path / "x.kwiq")
    kwiq.Corpus(["other"]).save(tmp_path / "other.kwiq")
    # Under AddressSanitizer (tools/run_sanitized.py) the signal ends the child itself.
    env = dict(
        os.environ,
        ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":handle_segv=0:handle_sigbus=0",
    )
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(LOADED), str(tmp_path / "x.kwiq"), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = process.stdout.readline()
        if how == "cp":  # truncates and rewrites the same inode, as cp does
            shutil.copyfile(tmp_path / "other.kwiq", tmp_path / "x.kwiq")
        else:  # the same size, other bytes
            with open(tmp_path / "x.kwiq", "r+b") as file:
                file.write(os.urandom(size))
        out, _ = process.communicate("go\n", timeout=TIMEOUT)
    finally:
        process.kill()
        process.wait()
    return process.returncode, first, out


@pytest.mark.parametrize("mode", ["read", "read, then pickled"])
@pytest.mark.parametrize("how", ["cp", "same size"])
def test_a_corpus_read_into_memory_survives_writes_to_its_file(tmp_path, how, mode):
    rc, first, second = write_over_a_loaded_file(tmp_path, how, mode)
    assert rc == 0 and first.count("peace") > 4000 and second == first


def test_a_mapped_corpus_needs_its_file_to_stay(tmp_path):
    """What load()'s docstring says of the default: cp over the file kills it."""
    rc, first, _ = write_over_a_loaded_file(tmp_path, "cp", "mapped")
    assert first.count("peace") > 4000
    assert rc in (-signal.SIGBUS, -signal.SIGSEGV)


def test_mmap_false_loads_the_same_corpus(corpus, tmp_path):
    corpus.save(tmp_path / "x.kwiq")
    read = kwiq.Corpus.load(tmp_path / "x.kwiq", mmap=False)
    mapped = kwiq.Corpus.load(tmp_path / "x.kwiq")
    assert read.ids == mapped.ids and list(read.kwic("peace")) == list(mapped.kwic("peace"))
    os.unlink(tmp_path / "x.kwiq")
    assert len(read.kwic("the")) == 2
    with pytest.raises(TypeError, match="mmap must be True or False"):
        kwiq.Corpus.load(tmp_path / "x.kwiq", mmap="no")


# ------------------------------------------------------ only regular files


def test_fifos_and_devices_are_not_read(tmp_path):
    """In a child: a FIFO would block forever, /dev/zero read until MemoryError."""
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "a.txt").write_text("a text", encoding="utf-8")
    os.mkfifo(tmp_path / "dir" / "b.txt")
    done = child(
        """
        import sys, kwiq
        from kwiq import _files
        fifo, directory = sys.argv[1:]
        for call in (lambda: kwiq.Corpus.load(fifo), lambda: kwiq.Corpus.from_files(fifo),
                     lambda: kwiq.Corpus.load("/dev/zero"),
                     lambda: kwiq.Corpus.load(fifo, mmap=False),
                     lambda: kwiq.Corpus.from_files(["/dev/zero"])):
            try:
                call()
            except OSError as error:
                print(error.filename, "|", error.strerror)
        print(kwiq.Corpus.from_files(directory, progress=False).ids)
        # a FIFO put in a file's place after it was looked at is not waited on
        _files.check_regular = lambda path: None
        try:
            _files.open_regular(fifo)
        except OSError as error:
            print("swapped |", error.strerror)
        """,
        tmp_path / "fifo",
        tmp_path / "dir",
    )
    assert done.returncode == 0, done.stderr
    fifo = str(tmp_path / "fifo")
    assert done.stdout.splitlines() == [
        f"{fifo} | a FIFO, not a regular file; kwiq reads and writes only regular files",
        f"{fifo} | a FIFO, not a regular file; kwiq reads and writes only regular files",
        "/dev/zero | a character device, not a regular file; kwiq reads and writes only "
        "regular files",
        f"{fifo} | a FIFO, not a regular file; kwiq reads and writes only regular files",
        "/dev/zero | a character device, not a regular file; kwiq reads and writes only "
        "regular files",
        "('a.txt',)",  # a directory leaves the FIFO out
        "swapped | a FIFO, not a regular file; kwiq reads and writes only regular files",
    ]


LOOPS = """
    import json, sys, kwiq
    root = sys.argv[1]
    by_dir = kwiq.Corpus.from_files(root, include="*", progress=False)
    by_glob = kwiq.Corpus.from_files(root + "/**", progress=False)
    txt = kwiq.Corpus.from_files(root + "/**/*.txt", progress=False)
    print(json.dumps([by_dir.ids, by_glob.ids, txt.ids, [by_dir.text(i) for i in by_dir.ids]]))
    """


def test_symlink_loops_give_each_file_once(tmp_path):
    root = tmp_path / "tree"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f.txt").write_text("f", encoding="utf-8")
    (root / "a" / "g.txt").write_text("g", encoding="utf-8")
    (root / "h.md").write_text("h", encoding="utf-8")
    os.symlink("..", root / "a" / "b" / "up")  # a loop
    os.symlink("../a", root / "a" / "self")  # another
    os.symlink(".", root / "here")
    os.symlink("a/g.txt", root / "z.txt")  # a second name of g.txt
    done = child(LOOPS, root)
    assert done.returncode == 0, done.stderr
    by_dir, by_glob, txt, texts = json.loads(done.stdout)
    # the oracle: the regular files by os.walk, which does not follow links
    real = sorted(
        os.path.relpath(os.path.join(d, name), root)
        for d, _, names in os.walk(root)
        for name in names
        if stat.S_ISREG(os.lstat(os.path.join(d, name)).st_mode)
    )
    assert sorted(by_dir) == real == ["a/b/f.txt", "a/g.txt", "h.md"]
    assert texts == ["f", "g", "h"]
    assert [os.path.relpath(p, root) for p in by_glob] == by_dir
    assert [os.path.relpath(p, root) for p in txt] == ["a/b/f.txt", "a/g.txt"]
