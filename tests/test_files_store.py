import hashlib
import io
import threading
from pathlib import Path

import pytest

import ticketcore as tc
from ticketcore.storage.files import FileAttachmentStore


@pytest.fixture
def store(tmp_path):
    return FileAttachmentStore(tmp_path / "files")


def _files(root):
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())


def test_content_lives_at_its_digest(store):
    stored = store.put(io.BytesIO(b"receipt"), max_size=100)
    digest = hashlib.sha256(b"receipt").hexdigest()
    assert stored.sha256 == digest
    assert _files(store.root) == [f"{digest[:2]}/{digest[2:4]}/{digest}"]
    assert (store.root / digest[:2] / digest[2:4] / digest).read_bytes() == b"receipt"


def test_a_missing_root_is_created(tmp_path):
    root = tmp_path / "a" / "b" / "c"
    FileAttachmentStore(root)
    assert root.is_dir()


def test_nothing_is_left_behind_past_the_limit(store):
    with pytest.raises(tc.ValidationError) as caught:
        store.put(io.BytesIO(b"x" * 5000), max_size=4096)
    assert caught.value.code is tc.ErrorCode.ATTACHMENT_TOO_LARGE
    assert _files(store.root) == []


def test_a_user_file_name_never_becomes_a_path(store, tmp_path):
    # Only a 64-hex digest is a key; anything else is refused before touching files.
    (tmp_path / "secret").write_bytes(b"secret")
    for key in ("../secret", "../../secret", str(tmp_path / "secret"), "..\\secret"):
        with pytest.raises(tc.ValidationError):
            store.open(key)
        with pytest.raises(tc.ValidationError):
            store.delete(key)
    assert (tmp_path / "secret").exists()


def test_the_same_content_is_written_once(store, monkeypatch):
    first = store.put(io.BytesIO(b"same"), max_size=10)
    path = store.root / first.sha256[:2] / first.sha256[2:4] / first.sha256
    inode = path.stat().st_ino
    replaced = []
    monkeypatch.setattr(Path, "replace", lambda source, target: replaced.append((source, target)))
    assert store.put(io.BytesIO(b"same"), max_size=10) == first
    assert replaced == []
    assert path.stat().st_ino == inode
    assert _files(store.root) == [str(path.relative_to(store.root))]


def test_a_failed_move_into_place_leaves_nothing_and_is_unavailable(store, monkeypatch):
    def fail(self, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(tc.StorageUnavailableError) as caught:
        store.put(io.BytesIO(b"content"), max_size=100)
    assert isinstance(caught.value.__cause__, OSError)
    assert [p for p in _files(store.root) if "/" not in p] == []  # no temporary file
    with pytest.raises(tc.NotFoundError) as missing:
        store.open(hashlib.sha256(b"content").hexdigest())
    assert missing.value.code == tc.ErrorCode.ATTACHMENT_NOT_FOUND


def test_a_stream_that_fails_midway_leaves_nothing(store):
    class Broken:
        def __init__(self):
            self.calls = 0

        def read(self, size=-1):
            self.calls += 1
            if self.calls > 1:
                raise RuntimeError("connection reset")
            return b"partial"[:size]

    with pytest.raises(RuntimeError):
        store.put(Broken(), max_size=100)
    assert _files(store.root) == []


def test_clean_incoming_removes_interrupted_writes(store):
    (store.root / ".incoming-abc").write_bytes(b"half")
    kept = store.put(io.BytesIO(b"kept"), max_size=10)
    assert store.clean_incoming() == 1
    assert [p for p in _files(store.root) if p.startswith(".")] == []
    with store.open(kept.sha256) as stream:
        assert stream.read() == b"kept"


def test_reads_use_the_configured_chunk_size(tmp_path):
    sizes = []

    class Recording(io.BytesIO):
        def read(self, size=-1):
            sizes.append(size)
            return super().read(size)

    store = FileAttachmentStore(tmp_path, chunk_size=1000)
    store.put(Recording(b"z" * 2500), max_size=10_000)
    assert sizes == [1000, 1000, 1000, 1000]


def test_threads_storing_the_same_content_get_one_file(store):
    content = bytes(range(256)) * 400
    results = []

    def put():
        results.append(store.put(io.BytesIO(content), max_size=len(content)))

    threads = [threading.Thread(target=put) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert len(_files(store.root)) == 1
    with store.open(results[0].sha256) as stream:
        assert stream.read() == content


def test_repr_names_the_root(store):
    assert repr(store) == f"FileAttachmentStore({str(store.root)!r})"
