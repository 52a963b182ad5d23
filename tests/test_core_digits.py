"""core.digits: the bundled set, the stratified split, IDX files (good, gzipped, truncated, corrupt),
the MNIST folder loader, folder validation, and downloading (served from memory, and offline)."""

import gzip
import hashlib
import inspect
import io
import os
import socket
import stat
import tempfile

import numpy as np
import pytest

from core import digits as D

pytestmark = pytest.mark.filterwarnings("error")


# ----- the bundled set ------------------------------------------------------------------------------
def test_bundled_file_is_the_documented_one():
    sha = hashlib.sha256(D.BUNDLED.read_bytes()).hexdigest()
    assert sha == "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
    assert sha in (D.ROOT / "data" / "README.md").read_text()
    assert D.BUNDLED.stat().st_size < 200_000


def test_bundled_digits_shape_range_and_class_counts():
    ds = D.load_bundled()
    assert ds.images.shape == (1797, 8, 8) and ds.images.dtype == np.uint8
    assert ds.labels.shape == (1797,)
    assert ds.images.min() == 0 and ds.images.max() == 16
    # the UCI page's counts for the test part (optdigits.tes)
    assert np.bincount(ds.labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    X = ds.X()
    assert X.shape == (1797, 64) and X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(X[5].reshape(8, 8) * 16, ds.images[5])  # rows in reading order


def test_bundled_loader_reports_missing_and_malformed_files(tmp_path):
    with pytest.raises(D.DigitsDataError, match="missing"):
        D.load_bundled(tmp_path / "nope.csv.gz")
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(gzip.compress(b"1,2,3\n4,5,6\n"))
    with pytest.raises(D.DigitsDataError, match="65 numbers"):
        D.load_bundled(bad)
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(D.DigitsDataError, match="could not be read"):
        D.load_bundled(bad)


# ----- split and targets ---------------------------------------------------------------------------
def test_stratified_split_is_disjoint_complete_stratified_and_seeded():
    labels = D.load_bundled().labels
    tr, te = D.stratified_split(labels, 0.25, seed=0)
    assert len(tr) == 1347 and len(te) == 450
    assert np.intersect1d(tr, te).size == 0
    np.testing.assert_array_equal(np.sort(np.r_[tr, te]), np.arange(labels.size))
    for c in range(10):
        n = np.sum(labels == c)
        assert np.sum(labels[te] == c) == round(n * 0.25)
    tr2, te2 = D.stratified_split(labels, 0.25, seed=0)
    np.testing.assert_array_equal(te, te2)
    _, te3 = D.stratified_split(labels, 0.25, seed=1)
    assert not np.array_equal(te, te3)


def test_split_keeps_one_of_each_side_for_tiny_classes():
    tr, te = D.stratified_split(np.array([0, 0, 1, 1, 1, 2, 2]), 0.01, seed=0)
    assert sorted(np.array([0, 0, 1, 1, 1, 2, 2])[te].tolist()) == [0, 1, 2]
    with pytest.raises(ValueError):
        D.stratified_split(np.array([0, 1]), 1.0)


def test_one_hot_and_confusion_matrix():
    Y = D.one_hot(np.array([3, 0, 9]))
    assert Y.shape == (3, 10) and Y.sum() == 3 and Y[0, 3] == Y[1, 0] == Y[2, 9] == 1
    C = D.confusion_matrix(np.array([1, 1, 2, 3]), np.array([1, 2, 2, 3]))
    assert C[1, 1] == 1 and C[1, 2] == 1 and C[2, 2] == 1 and C[3, 3] == 1 and C.sum() == 4


# ----- IDX files ----------------------------------------------------------------------------------
RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
LABELS = RNG.integers(0, 10, size=7).astype(np.uint8)


@pytest.mark.parametrize("name", ["x-idx3-ubyte", "x-idx3-ubyte.gz"])
def test_idx_round_trip_plain_and_gzipped(tmp_path, name):
    p = D.write_idx(tmp_path / name, IMAGES)
    assert (p.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    np.testing.assert_array_equal(D.read_idx(p), IMAGES)
    raw = D.idx_bytes(IMAGES)
    assert raw[:4] == b"\x00\x00\x08\x03"  # MNIST's image magic number 0x00000803
    assert D.idx_bytes(LABELS)[:4] == b"\x00\x00\x08\x01"


def test_idx_gzip_is_detected_by_content_not_name(tmp_path):
    p = tmp_path / "labels-idx1-ubyte"  # no .gz, but gzipped
    p.write_bytes(gzip.compress(D.idx_bytes(LABELS)))
    np.testing.assert_array_equal(D.read_idx(p), LABELS)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.float32, np.float64])
def test_idx_other_types_round_trip(tmp_path, dtype):
    a = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    b = D.read_idx(D.write_idx(tmp_path / "a.idx", a))
    np.testing.assert_array_equal(a, b)
    assert b.dtype == np.dtype(dtype)


def test_idx_rejects_what_it_cannot_store(tmp_path):
    with pytest.raises(ValueError):
        D.idx_bytes(np.zeros(3, dtype=np.int64))


def corrupt_cases():
    good = D.idx_bytes(IMAGES)
    return {
        "empty": (b"", "truncated"),
        "short header": (good[:3], "truncated"),
        "text file": (b"hello world, not IDX", "not an IDX file"),
        "bad type code": (b"\x00\x00\x07\x03" + good[4:], "not an IDX file"),
        "zero dims": (b"\x00\x00\x08\x00" + good[4:], "not an IDX file"),
        "cut in header": (good[:10], "truncated inside its header"),
        "cut in data": (good[:-5], "truncated"),
        "trailing bytes": (good + b"\x00\x01", "corrupt"),
        "huge promise": (b"\x00\x00\x08\x03" + b"\xff\xff\xff\xff" * 3, "more than an MNIST file holds"),
    }


@pytest.mark.parametrize("case", list(corrupt_cases()))
def test_idx_corrupt_and_truncated_files_raise_plain_errors(tmp_path, case):
    data, message = corrupt_cases()[case]
    p = tmp_path / "f-idx3-ubyte"
    p.write_bytes(data)
    with pytest.raises(D.IdxFormatError, match=message) as e:
        D.read_idx(p)
    assert "f-idx3-ubyte" in str(e.value)  # the message names the file


def test_idx_truncated_and_damaged_gzip(tmp_path):
    z = gzip.compress(D.idx_bytes(IMAGES))
    p = tmp_path / "t-idx3-ubyte.gz"
    p.write_bytes(z[: len(z) // 2])
    with pytest.raises(D.IdxFormatError, match="truncated gzip"):
        D.read_idx(p)
    damaged = bytearray(z)
    damaged[len(z) // 2 : len(z) // 2 + 40] = bytes(40)
    p.write_bytes(bytes(damaged))
    with pytest.raises(D.IdxFormatError, match="gzip|truncated|corrupt"):
        D.read_idx(p)
    p.write_bytes(b"\x1f\x8bthis is not really gzip")
    with pytest.raises(D.IdxFormatError, match="gzip"):
        D.read_idx(p)


def test_idx_missing_file_and_folder_instead_of_file(tmp_path):
    with pytest.raises(D.IdxFormatError, match="missing"):
        D.read_idx(tmp_path / "nothing-idx1-ubyte")
    (tmp_path / "dir-idx1-ubyte").mkdir()
    with pytest.raises(D.IdxFormatError, match="folder"):
        D.read_idx(tmp_path / "dir-idx1-ubyte")


# ----- an MNIST folder ---------------------------------------------------------------------------
def make_mnist(folder, n_train=30, n_test=12, side=28, gz=(True, False, True, False), names=None, seed=0):
    """Four small IDX files with MNIST's names (some gzipped, some not)."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, side, side), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, n_train).astype(np.uint8),
        "test_images": rng.integers(0, 256, (n_test, side, side), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, n_test).astype(np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for (key, stem), z in zip(D.MNIST_FILES.items(), gz):
        name = (names or {}).get(key, stem)
        D.write_idx(folder / (name + (".gz" if z else "")), arrays[key])
    return arrays


def test_load_mnist_from_mixed_gzipped_and_plain_files(tmp_path):
    arrays = make_mnist(tmp_path / "m")
    train, test = D.load_mnist(tmp_path / "m")
    np.testing.assert_array_equal(train.images, arrays["train_images"])
    np.testing.assert_array_equal(test.labels, arrays["test_labels"])
    assert train.shape == (28, 28) and train.max_value == 255 and len(test) == 12
    assert train.X(np.float32).dtype == np.float32 and train.X().max() <= 1.0


def test_load_mnist_accepts_kaggle_style_dotted_names(tmp_path):
    names = {k: v.replace("-idx", ".idx") for k, v in D.MNIST_FILES.items()}
    make_mnist(tmp_path / "k", names=names, gz=(False,) * 4)
    train, _ = D.load_mnist(tmp_path / "k")
    assert len(train) == 30


def test_load_mnist_names_the_missing_files(tmp_path):
    make_mnist(tmp_path / "m")
    (tmp_path / "m" / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(D.IdxFormatError, match="missing 1 of the 4 MNIST files: t10k-labels-idx1-ubyte"):
        D.load_mnist(tmp_path / "m")
    (tmp_path / "empty").mkdir()
    with pytest.raises(D.IdxFormatError, match="missing 4 of the 4"):
        D.load_mnist(tmp_path / "empty")


def test_load_mnist_checks_counts_labels_and_kinds(tmp_path):
    make_mnist(tmp_path / "a")
    D.write_idx(tmp_path / "a" / "train-labels-idx1-ubyte.gz", np.zeros(29, dtype=np.uint8))
    with pytest.raises(D.IdxFormatError, match="30 images but .* 29 labels"):
        D.load_mnist(tmp_path / "a")
    make_mnist(tmp_path / "b")
    D.write_idx(tmp_path / "b" / "train-labels-idx1-ubyte.gz", np.full(30, 12, dtype=np.uint8))
    with pytest.raises(D.IdxFormatError, match="label 12"):
        D.load_mnist(tmp_path / "b")
    make_mnist(tmp_path / "c")
    D.write_idx(tmp_path / "c" / "train-images-idx3-ubyte.gz", np.zeros(30, dtype=np.uint8))  # labels, not images
    with pytest.raises(D.IdxFormatError, match="should hold unsigned-byte images"):
        D.load_mnist(tmp_path / "c")
    make_mnist(tmp_path / "d")
    D.write_idx(tmp_path / "d" / "t10k-images-idx3-ubyte.gz", np.zeros((12, 20, 20), dtype=np.uint8))
    with pytest.raises(D.IdxFormatError, match="Training images are"):
        D.load_mnist(tmp_path / "d")
    make_mnist(tmp_path / "e", side=70)
    with pytest.raises(D.IdxFormatError, match="too large"):
        D.load_mnist(tmp_path / "e")


def test_load_mnist_reports_a_truncated_file_by_name(tmp_path):
    make_mnist(tmp_path / "m")
    p = tmp_path / "m" / "train-labels-idx1-ubyte"  # stored plain
    p.write_bytes(p.read_bytes()[:-3])
    with pytest.raises(D.IdxFormatError, match="train-labels-idx1-ubyte is truncated"):
        D.load_mnist(tmp_path / "m")


# ----- folder validation ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Type the full path"),
        ("   ", "Type the full path"),
        ("relative/folder", "not a full path"),
        ("/tmp/a\nb", "control characters"),
        ("/tmp/\x00x", "control characters"),
        ("/" + "a" * 1200, "too long"),
        ("/no/such/folder/anywhere", "does not exist"),
    ],
)
def test_check_folder_rejects_bad_paths_with_plain_messages(text, message):
    with pytest.raises(D.FolderError, match=message):
        D.check_folder(text)


def test_check_folder_is_for_reading_only(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(D.FolderError, match="is a file"):
        D.check_folder(str(f))
    assert D.check_folder(str(tmp_path)) == tmp_path.resolve()
    with pytest.raises(D.FolderError, match="does not exist"):
        D.check_folder(str(tmp_path / "new"))  # never created: a typed folder is only read
    assert not (tmp_path / "new").exists()
    assert "for_writing" not in inspect.signature(D.check_folder).parameters
    assert D.ROOT not in D.default_download_dir().parents


# ----- reading a named folder safely ------------------------------------------------------------------
def test_files_larger_than_mnist_are_refused_before_reading(tmp_path, monkeypatch):
    p = D.write_idx(tmp_path / "big-idx3-ubyte", IMAGES)
    monkeypatch.setattr(D, "IDX_MAX_FILE_BYTES", p.stat().st_size - 1)
    with pytest.raises(D.IdxFormatError, match="larger than"):
        D.read_idx(p)


def test_label_files_are_limited_to_what_labels_can_need(tmp_path):
    make_mnist(tmp_path / "m")
    D.write_idx(tmp_path / "m" / "train-labels-idx1-ubyte.gz", np.zeros(D.LABELS_MAX_BYTES + 1, dtype=np.uint8))
    with pytest.raises(D.IdxFormatError, match="train-labels-idx1-ubyte.gz unpacks to more than 1 MB"):
        D.load_mnist(tmp_path / "m")


def test_a_gzip_bomb_is_not_unpacked_past_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(D, "IDX_MAX_BYTES", 10_000)
    p = tmp_path / "bomb-idx3-ubyte.gz"
    p.write_bytes(gzip.compress(D.idx_bytes(np.zeros((100, 28, 28), dtype=np.uint8))))  # 78 KB from ~300 bytes
    assert p.stat().st_size < 2_000
    with pytest.raises(D.IdxFormatError, match="unpacks to more than"):
        D.read_idx(p)


def test_a_fifo_under_an_mnist_name_is_not_read(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    make_mnist(tmp_path / "m")
    (tmp_path / "m" / "t10k-labels-idx1-ubyte").unlink()
    os.mkfifo(tmp_path / "m" / "t10k-labels-idx1-ubyte")  # reading it would block forever
    with pytest.raises(D.IdxFormatError, match="missing 1 of the 4"):
        D.load_mnist(tmp_path / "m")
    with pytest.raises(D.IdxFormatError, match="not a regular file"):
        D.read_idx(tmp_path / "m" / "t10k-labels-idx1-ubyte")


def test_mnist_images_are_kept_as_bytes(tmp_path):
    make_mnist(tmp_path / "m", n_train=50, n_test=20)
    train, test = D.load_mnist(tmp_path / "m")
    assert train.images.dtype == np.uint8 and train.images.nbytes == 50 * 28 * 28
    assert test.images.dtype == np.uint8 and test.images.nbytes == 20 * 28 * 28


# ----- downloading ---------------------------------------------------------------------------------
class FakeResponse(io.BytesIO):
    def __init__(self, data: bytes, length: int | None = None):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data) if length is None else length)}


def fake_server(files: dict, fail: set = frozenset(), lengths: dict | None = None):
    calls = []

    def opener(url, timeout=None):
        calls.append(url)
        base, name = url.rsplit("/", 1)
        if base + "/" in fail:
            raise OSError("connection refused")
        return FakeResponse(files[name], (lengths or {}).get(name))

    opener.calls = calls
    return opener


def gz_files(tmp_path):
    src = tmp_path / "src"
    make_mnist(src, gz=(False,) * 4)
    return {stem + ".gz": gzip.compress((src / stem).read_bytes(), mtime=0) for stem in D.MNIST_FILES.values()}


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """The system's temporary folder, for this test: tmp_path/"tmp" (downloads go there only)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    assert D.default_download_dir() == tmp / "xor-lab-mnist"
    return tmp / "xor-lab-mnist"


def test_download_writes_verified_files_with_progress_and_they_load(tmp_path, temp_dir):
    files = gz_files(tmp_path)
    sums = {k: hashlib.md5(v).hexdigest() for k, v in files.items()}
    seen = []
    opener = fake_server(files, fail={"http://first/"})
    out = D.download_mnist(
        lambda *a: seen.append(a),
        mirrors=("http://first/", "http://second/"),
        md5=sums,
        opener=opener,
    )
    assert out == temp_dir and sorted(p.name for p in out.iterdir()) == sorted(files)  # no .part files left
    if hasattr(os, "getuid"):
        assert stat.S_IMODE(out.stat().st_mode) == 0o700  # private to the app's user
    assert [u.split("/")[2] for u in opener.calls].count("second") == 4  # fell back to the 2nd mirror
    assert {a[0] for a in seen} == {0, 1, 2, 3} and all(a[3] <= a[4] for a in seen)
    assert seen[-1][3] == seen[-1][4] == len(files["t10k-labels-idx1-ubyte.gz"])
    train, test = D.load_mnist(out)
    assert len(train) == 30 and len(test) == 12
    # a second call keeps the verified files and fetches nothing
    again = fake_server(files)
    D.download_mnist(mirrors=("http://x/",), md5=sums, opener=again)
    assert again.calls == []


def test_download_rejects_a_wrong_checksum_and_leaves_nothing(tmp_path, temp_dir):
    files = gz_files(tmp_path)
    sums = dict.fromkeys(files, "0" * 32)
    with pytest.raises(D.DownloadError, match="checksum does not match"):
        D.download_mnist(mirrors=("http://m/",), md5=sums, opener=fake_server(files))
    assert list(temp_dir.iterdir()) == []


def test_download_rejects_a_cut_connection_and_oversized_files(tmp_path, temp_dir):
    files = gz_files(tmp_path)
    lengths = {k: len(v) + 100 for k, v in files.items()}
    with pytest.raises(D.DownloadError, match="connection ended"):
        D.download_mnist(mirrors=("http://m/",), md5={}, opener=fake_server(files, lengths=lengths))
    lengths = dict.fromkeys(files, D.MAX_DOWNLOAD_BYTES + 1)
    with pytest.raises(D.DownloadError, match="too large"):
        D.download_mnist(mirrors=("http://m/",), md5={}, opener=fake_server(files, lengths=lengths))
    assert list(temp_dir.iterdir()) == []


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def test_download_fails_cleanly_when_nothing_answers(temp_dir):
    """The real urllib against a closed loopback port: a plain DownloadError, no traceback, no files."""
    base = f"http://127.0.0.1:{closed_port()}/"
    with pytest.raises(D.DownloadError) as e:
        D.download_mnist(mirrors=(base,), timeout=5)
    msg = str(e.value)
    assert msg.startswith("Could not download train-images-idx3-ubyte.gz.")
    assert "refused" in msg.lower() and "copy the four MNIST files" in msg
    assert list(temp_dir.iterdir()) == []


def test_a_download_has_no_folder_to_choose():
    """No parameter can send a download anywhere but the app's temporary folder."""
    params = inspect.signature(D.download_mnist).parameters
    assert list(params) == ["progress", "mirrors", "md5", "timeout", "opener"]
    with pytest.raises(TypeError):
        D.download_mnist(folder="/somewhere/else")  # type: ignore[call-arg]


def test_download_never_writes_into_the_app_folder(monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(D.ROOT / "data"))  # a TMPDIR inside the app
    with pytest.raises(D.FolderError, match="inside the app's own folder"):
        D.download_mnist(mirrors=("http://m/",), opener=fake_server({}))
    assert not (D.ROOT / "data" / "xor-lab-mnist").exists()


def test_download_refuses_a_temp_folder_planted_by_someone_else(tmp_path, temp_dir):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    temp_dir.symlink_to(elsewhere)  # another account made /tmp/xor-lab-mnist a link first
    with pytest.raises(D.FolderError, match="not a plain folder"):
        D.download_mnist(mirrors=("http://m/",), opener=fake_server({}))
    assert list(elsewhere.iterdir()) == []


def test_offline_message_mentions_offline(temp_dir):
    def opener(url, timeout=None):
        raise D.urllib.error.URLError(OSError(-2, "Name or service not known"))

    with pytest.raises(D.DownloadError, match="seems to be offline"):
        D.download_mnist(mirrors=("https://example.invalid/",), opener=opener)
