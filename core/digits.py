"""Handwritten digits: the bundled 8×8 UCI set, a seeded stratified split, and real MNIST from IDX files.

The bundled set (``data/digits.csv.gz``, see ``data/README.md``) is the UCI "Optical Recognition of
Handwritten Digits" test set that scikit-learn ships as ``load_digits``: 1,797 grey 8×8 images with
pixel counts 0..16, one row ``p0, ..., p63, label`` per image.

MNIST comes as four IDX files (gzipped or not) in a folder the user names, which is only ever read:
only the four standard file names, regular files of bounded size, parsed strictly. IDX layout (big-endian):
two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions d, then d uint32 sizes,
then the data. Images are ``0x00000803`` (d = 3: N, 28, 28), labels ``0x00000801`` (d = 1: N).

Every problem with a file raises :class:`DigitsDataError` (or a subclass) whose message is plain
words a student can act on; callers show ``str(error)`` and never a traceback. The only thing
written anywhere is a download, and it always goes to the app's own temporary folder
(:func:`default_download_dir`, under ``tempfile.gettempdir()``): no caller can point it elsewhere,
so a visitor who types a folder can make the app read four named files there, never write.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import stat
import struct
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent  # the app's own folder: never written to
BUNDLED = ROOT / "data" / "digits.csv.gz"
N_CLASSES = 10
CLASS_NAMES = [str(k) for k in range(N_CLASSES)]

# ---------------------------------------------------------------------------------------------
# errors


class DigitsDataError(Exception):
    """A data set could not be loaded; ``str(error)`` is a plain message for the page."""


class IdxFormatError(DigitsDataError):
    """An IDX file is missing, truncated or corrupt."""


class FolderError(DigitsDataError):
    """The folder the user typed is not usable."""


class DownloadError(DigitsDataError):
    """Downloading failed (offline, server error, wrong checksum, too large)."""


# ---------------------------------------------------------------------------------------------
# a set of images


@dataclass(frozen=True)
class DigitSet:
    """images (N, h, w) integers 0..max_value; labels (N,) integers 0..9."""

    images: np.ndarray
    labels: np.ndarray
    max_value: int
    name: str

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.images.shape[1]), int(self.images.shape[2])

    def __len__(self) -> int:
        return int(self.images.shape[0])

    def X(self, dtype=np.float64) -> np.ndarray:
        """(N, h·w) pixels scaled to [0, 1], one flattened image per row (row-major, as drawn)."""
        return (self.images.reshape(len(self), -1).astype(dtype)) / dtype(self.max_value)


def load_bundled(path: str | Path = BUNDLED) -> DigitSet:
    """The bundled 8×8 set: images (1797, 8, 8) uint8 in 0..16, labels (1797,)."""
    path = Path(path)
    if not path.is_file():
        raise DigitsDataError(f"The bundled digits file {path.name} is missing from {path.parent}.")
    try:
        with gzip.open(path, "rt", encoding="ascii") as f:
            rows = np.loadtxt(f, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, EOFError, ValueError, zlib.error) as e:
        raise DigitsDataError(f"The bundled digits file {path.name} could not be read ({e}).") from None
    if rows.shape[1] != 65:
        raise DigitsDataError(f"{path.name}: expected 65 numbers per row (64 pixels and a label), got {rows.shape[1]}.")
    pixels, labels = rows[:, :64], rows[:, 64]
    if pixels.min() < 0 or pixels.max() > 16 or labels.min() < 0 or labels.max() > 9:
        raise DigitsDataError(f"{path.name}: pixels must be 0..16 and labels 0..9.")
    return DigitSet(pixels.reshape(-1, 8, 8).astype(np.uint8), labels.astype(np.int64), 16, "UCI 8×8 digits")


# ---------------------------------------------------------------------------------------------
# splitting and targets


def stratified_split(labels: np.ndarray, test_fraction: float = 0.25, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test), both sorted: each class keeps ``test_fraction`` of its images for testing.

    Seeded, so the same seed always gives the same held-out images; per class the test count is
    round(n_c · test_fraction), at least 1 and at most n_c − 1 when a class has two or more images.
    """
    labels = np.asarray(labels).ravel()
    if not 0.0 < test_fraction < 1.0:
        raise ValueError("test_fraction must be between 0 and 1")
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        n = len(idx)
        k = int(round(n * test_fraction))
        if n >= 2:
            k = min(max(k, 1), n - 1)
        test.append(idx[:k])
    test_idx = np.sort(np.concatenate(test)) if test else np.array([], dtype=int)
    mask = np.ones(labels.size, dtype=bool)
    mask[test_idx] = False
    return np.flatnonzero(mask), test_idx


def one_hot(labels: np.ndarray, k: int = N_CLASSES) -> np.ndarray:
    """labels (N,) → Y (N, k) with Y[i, labels[i]] = 1: the y of dz = a − y in ten dimensions."""
    labels = np.asarray(labels, dtype=np.int64).ravel()
    Y = np.zeros((labels.size, k))
    Y[np.arange(labels.size), labels] = 1.0
    return Y


def confusion_matrix(true: np.ndarray, pred: np.ndarray, k: int = N_CLASSES) -> np.ndarray:
    """C (k, k) counts, C[t, p] = how many images of digit t were predicted as p."""
    C = np.zeros((k, k), dtype=np.int64)
    np.add.at(C, (np.asarray(true, dtype=np.int64), np.asarray(pred, dtype=np.int64)), 1)
    return C


# ---------------------------------------------------------------------------------------------
# IDX files

IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
# MNIST's largest file (training images) is 47,040,016 bytes unpacked and 9.9 MB gzipped: anything
# bigger is not MNIST and is refused before it is read or unpacked (a named folder could hold a huge
# file or a gzip bomb under an MNIST name).
IDX_MAX_BYTES = 50_000_000
IDX_MAX_FILE_BYTES = 50_000_000  # on disk, gzipped or not
LABELS_MAX_BYTES = 1_000_000  # a label file: one byte per image (MNIST's has 60,008 bytes)
GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, gunzipped when it is gzip (by its first two bytes, not its name); a file
    (or its unpacked content) over ``limit`` bytes (default IDX_MAX_BYTES) is refused unread."""
    limit = IDX_MAX_BYTES if limit is None else limit
    try:
        if path.is_dir():
            raise IsADirectoryError
        if not path.is_file():  # a FIFO or device under an MNIST name would block or never end
            raise IdxFormatError(f"{path.name} is not a regular file.")
        on_disk = min(IDX_MAX_FILE_BYTES, limit)
        if path.stat().st_size > on_disk:
            raise IdxFormatError(f"{path.name} is larger than {on_disk / 1e6:g} MB; not an MNIST file.")
        with path.open("rb") as f:
            head = f.read(2)
        if head == GZIP_MAGIC:
            with gzip.open(path, "rb") as f:
                data = f.read(limit + 1)  # never unpack more than an MNIST file holds
            if len(data) > limit:
                raise IdxFormatError(f"{path.name} unpacks to more than {limit / 1e6:g} MB; not an MNIST file.")
            return data
        with path.open("rb") as f:
            return f.read(on_disk + 1)
    except EOFError:
        raise IdxFormatError(f"{path.name} is a truncated gzip file (it ends early): download it again.") from None
    except (gzip.BadGzipFile, zlib.error) as e:
        raise IdxFormatError(f"{path.name} is not a valid gzip file ({e}): download it again.") from None
    except PermissionError:
        raise IdxFormatError(f"{path.name} cannot be read: permission denied.") from None
    except IsADirectoryError:
        raise IdxFormatError(f"{path.name} is a folder, not a file.") from None
    except OSError as e:
        raise IdxFormatError(f"{path.name} could not be read ({e.strerror or e}).") from None


def parse_idx(data: bytes, name: str = "file") -> np.ndarray:
    """Decode IDX bytes into an array of the promised shape; any mismatch raises IdxFormatError."""
    if len(data) < 4:
        raise IdxFormatError(f"{name} is truncated: only {len(data)} bytes, too short for an IDX header.")
    zero1, zero2, code, ndim = struct.unpack(">BBBB", data[:4])
    magic = int.from_bytes(data[:4], "big")
    if zero1 != 0 or zero2 != 0 or code not in IDX_DTYPES or not 1 <= ndim <= 4:
        raise IdxFormatError(
            f"{name} is not an IDX file: its magic number is 0x{magic:08X} "
            "(MNIST images start with 0x00000803, labels with 0x00000801)."
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IdxFormatError(f"{name} is truncated inside its header ({len(data)} of {header} bytes).")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = IDX_DTYPES[code]
    count = 1
    for d in dims:
        count *= d
    expected = count * dtype.itemsize
    if expected > IDX_MAX_BYTES:
        raise IdxFormatError(f"{name}: its header promises {expected:,} bytes, more than an MNIST file holds.")
    got = len(data) - header
    if got < expected:
        raise IdxFormatError(
            f"{name} is truncated: the header promises {'×'.join(map(str, dims))} values "
            f"({expected:,} bytes) but only {got:,} bytes follow. Download it again."
        )
    if got > expected:
        raise IdxFormatError(
            f"{name} is corrupt: {got - expected:,} unexpected bytes after the "
            f"{'×'.join(map(str, dims))} values its header promises."
        )
    # unsigned bytes (MNIST) stay a read-only view of ``data``: no second copy of a 47 MB file
    return (
        np.frombuffer(data, dtype=dtype, count=count, offset=header)
        .reshape(dims)
        .astype(dtype.newbyteorder("="), copy=False)
    )


def read_idx(path: str | Path, limit: int | None = None) -> np.ndarray:
    """One IDX file (gzipped or not) as an array with the shape its header gives; at most ``limit``
    bytes unpacked (default IDX_MAX_BYTES)."""
    path = Path(path)
    if not path.exists():
        raise IdxFormatError(f"{path.name} is missing from {path.parent}.")
    return parse_idx(_read_bytes(path, limit), path.name)


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of an array (unsigned/signed bytes, big-endian int16/int32/float32/float64)."""
    a = np.asarray(array)
    be = a.dtype.newbyteorder(">") if a.dtype.itemsize > 1 else a.dtype
    codes = {v: k for k, v in IDX_DTYPES.items()}
    if be not in codes:
        raise ValueError(f"IDX cannot store dtype {a.dtype}")
    return struct.pack(">BBBB", 0, 0, codes[be], a.ndim) + struct.pack(f">{a.ndim}I", *a.shape) + a.astype(be).tobytes()


def write_idx(path: str | Path, array: np.ndarray, compress: bool | None = None) -> Path:
    """Write an IDX file, gzipped when ``compress`` (default: when the name ends in .gz). For tests."""
    path = Path(path)
    data = idx_bytes(array)
    compress = path.name.endswith(".gz") if compress is None else compress
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


# ---------------------------------------------------------------------------------------------
# MNIST in a folder

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
MAX_SIDE = 64  # images larger than 64×64 are refused (MNIST is 28×28)


def _candidates(stem: str) -> list[str]:
    """The names a file goes by: as published (with or without .gz) and with a dot (Kaggle's copies)."""
    dotted = stem.replace("-idx", ".idx")
    return [stem + ".gz", stem, dotted + ".gz", dotted]


def find_mnist_files(folder: Path) -> dict[str, Path | None]:
    """For each of the four files, the path found in ``folder`` (or None)."""
    found = {}
    for key, stem in MNIST_FILES.items():
        found[key] = next((folder / n for n in _candidates(stem) if (folder / n).is_file()), None)
    return found


def check_folder(text: str) -> Path:
    """Validate a folder path the user typed, to READ from; returns it resolved or raises FolderError.

    Rules: not empty, no control characters, at most 1,000 characters, absolute (``~`` allowed),
    an existing folder. Nothing is ever written to a folder the user names (downloads go to
    :func:`default_download_dir` only).
    """
    if not isinstance(text, str) or not text.strip():
        raise FolderError("Type the full path of a folder, for example /tmp/mnist.")
    text = text.strip()
    if len(text) > 1000:
        raise FolderError("That path is too long (over 1,000 characters).")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise FolderError("That path contains control characters (such as a line break); type it again.")
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise FolderError(f"“{text}” is not a full path: start it with / (or ~ for your home folder).")
    try:
        path = path.resolve()
    except (OSError, RuntimeError) as e:
        raise FolderError(f"“{text}” cannot be resolved ({e}).") from None
    try:
        if not path.exists():
            raise FolderError(f"The folder {path} does not exist.")
        if not path.is_dir():
            raise FolderError(f"{path} is a file, not a folder.")
    except OSError as e:  # e.g. permission denied on a parent folder
        raise FolderError(f"“{text}” cannot be opened ({e.strerror or e}).") from None
    return path


def default_download_dir() -> Path:
    """The one folder downloads go to: ``xor-lab-mnist`` in the system's temporary folder."""
    return Path(tempfile.gettempdir()) / "xor-lab-mnist"


def _download_target() -> Path:
    """default_download_dir(), created if needed (private to this user), checked before writing.

    Refused: a temporary folder inside the app's own folder (the app never writes there), and a
    download folder that is a symbolic link or belongs to another user (in a shared /tmp another
    account could have made it first, to have the files land elsewhere or to swap them).
    """
    target = default_download_dir()
    if target == ROOT or ROOT in target.resolve().parents:
        raise FolderError(f"The temporary folder {target} is inside the app's own folder; the app never writes there.")
    try:
        target.mkdir(mode=0o700, exist_ok=True)
        info = target.lstat()
    except OSError as e:
        raise FolderError(f"Could not create the download folder {target} ({e.strerror or e}).") from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise FolderError(f"{target} is not a plain folder (a link or a file is in its place); downloads refused.")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise FolderError(f"{target} belongs to another user; downloads refused.")
    return target


def load_mnist(folder: str | Path) -> tuple[DigitSet, DigitSet]:
    """(train, test) from the four IDX files in ``folder``; every problem raises a DigitsDataError.

    Checks: all four files present, images are IDX unsigned bytes (N, h, w) with h, w ≤ 64,
    labels unsigned bytes (N,) in 0..9, and each image file has as many images as its labels.
    """
    folder = check_folder(str(folder))
    found = find_mnist_files(folder)
    missing = [MNIST_FILES[k] for k, p in found.items() if p is None]
    if missing:
        raise IdxFormatError(
            f"{folder} is missing {len(missing)} of the 4 MNIST files: " + ", ".join(f"{m}(.gz)" for m in missing) + "."
        )
    # labels first and small: a folder of oversized files is refused before the big ones are read
    arrays = {k: read_idx(found[k], LABELS_MAX_BYTES) for k in ("train_labels", "test_labels")}
    arrays |= {k: read_idx(found[k]) for k in ("train_images", "test_images")}
    sets = []
    for part in ("train", "test"):
        img, lab = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        iname, lname = found[f"{part}_images"].name, found[f"{part}_labels"].name
        if img.dtype != np.uint8 or img.ndim != 3:
            raise IdxFormatError(
                f"{iname} should hold unsigned-byte images (N, height, width); it holds {img.dtype} {img.shape}."
            )
        if not (1 <= img.shape[1] <= MAX_SIDE and 1 <= img.shape[2] <= MAX_SIDE):
            side = f"{img.shape[1]}×{img.shape[2]}"
            raise IdxFormatError(f"{iname}: images of {side} pixels are too large (MNIST is 28×28).")
        if lab.dtype != np.uint8 or lab.ndim != 1:
            raise IdxFormatError(f"{lname} should hold one unsigned byte per image; it holds {lab.dtype} {lab.shape}.")
        if lab.shape[0] != img.shape[0]:
            raise IdxFormatError(f"{iname} has {img.shape[0]:,} images but {lname} has {lab.shape[0]:,} labels.")
        if lab.size and lab.max() > 9:
            raise IdxFormatError(f"{lname} has a label {int(lab.max())}; digit labels are 0..9.")
        if img.shape[0] == 0:
            raise IdxFormatError(f"{iname} holds no images.")
        sets.append(DigitSet(img, lab.astype(np.int64), 255, f"MNIST {part}"))
    if sets[0].shape != sets[1].shape:
        raise IdxFormatError(f"Training images are {sets[0].shape} but test images are {sets[1].shape}.")
    return sets[0], sets[1]


# ---------------------------------------------------------------------------------------------
# downloading

MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",  # PyTorch's mirror
    "https://storage.googleapis.com/cvdf-datasets/mnist/",  # TensorFlow's mirror
)
MNIST_MD5 = {  # the checksums torchvision verifies
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
MAX_DOWNLOAD_BYTES = 20_000_000  # per file; MNIST's largest .gz is 9.9 MB
CHUNK = 1 << 16

# progress(file_index, n_files, file_name, bytes_done, bytes_total_or_0)
Progress = Callable[[int, int, str, int, int], None]


def _md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _reason(e: BaseException) -> str:
    if isinstance(e, urllib.error.HTTPError):
        return f"the server answered HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        r = e.reason
        if isinstance(r, OSError) and r.strerror:
            return r.strerror
        return str(r)
    if isinstance(e, TimeoutError):
        return "no answer before the time-out"
    return str(e) or type(e).__name__


def download_mnist(
    progress: Progress | None = None,
    mirrors: tuple[str, ...] | None = None,
    md5: dict | None = None,
    timeout: float = 15.0,
    opener: Callable | None = None,
) -> Path:
    """Download the four gzipped MNIST files into :func:`default_download_dir`; returns that folder.

    There is deliberately no parameter for the folder: downloads can only go to the app's temporary
    folder, whatever a visitor types.

    Files already there with the right checksum are kept. Each download goes to a temporary
    ``name.*.part`` file beside the target and is renamed only once complete and verified, so a
    failed download never leaves a half file under the real name.

    md5: {file name: hex digest}; ``None`` means MNIST's published checksums, ``{}`` skips the check
    (for tests). mirrors: base URLs tried in turn (``None``: MNIST_MIRRORS, read at call time).
    Raises FolderError or DownloadError with a plain message.
    """
    target = _download_target()
    opener = opener or urllib.request.urlopen  # looked up per call (tests stand a fake server in)
    sums = MNIST_MD5 if md5 is None else md5
    names = [stem + ".gz" for stem in MNIST_FILES.values()]
    for i, name in enumerate(names):
        final = target / name
        want = sums.get(name)
        if final.is_file() and (want is None or _md5(final) == want):
            if progress:
                size = final.stat().st_size
                progress(i, len(names), name, size, size)
            continue
        errors = []
        for base in MNIST_MIRRORS if mirrors is None else mirrors:
            try:
                _fetch(base + name, final, want, i, len(names), progress, timeout, opener)
                break
            except DownloadError as e:
                errors.append(str(e))
            except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as e:  # ValueError: bad URL
                errors.append(f"{base}: {_reason(e)}")
        else:
            offline = any("Name or service not known" in m or "Temporary failure" in m for m in errors)
            hint = " This machine seems to be offline." if offline else ""
            raise DownloadError(
                f"Could not download {name}.{hint} Tried: " + "; ".join(errors) + ". "
                "You can copy the four MNIST files into a folder yourself and load them from there."
            )
    return target


def _fetch(url: str, final: Path, want: str | None, i: int, n: int, progress, timeout: float, opener) -> None:
    # a unique temporary name beside the target: two sessions downloading at once never share a file
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=final.name + ".", suffix=".part")
    os.close(fd)
    part = Path(tmp)
    h = hashlib.md5(usedforsecurity=False)
    done = 0
    try:
        with opener(url, timeout=timeout) as resp, part.open("wb") as out:
            total = int(resp.headers.get("Content-Length") or 0) if getattr(resp, "headers", None) else 0
            if total > MAX_DOWNLOAD_BYTES:
                raise DownloadError(f"{url}: the file is {total:,} bytes, too large for an MNIST file")
            if progress:
                progress(i, n, final.name, 0, total)
            while True:
                block = resp.read(CHUNK)
                if not block:
                    break
                done += len(block)
                if done > MAX_DOWNLOAD_BYTES:
                    raise DownloadError(f"{url}: more than {MAX_DOWNLOAD_BYTES:,} bytes, too large for an MNIST file")
                h.update(block)
                out.write(block)
                if progress:
                    progress(i, n, final.name, done, total)
        if total and done != total:
            raise DownloadError(f"{url}: the connection ended after {done:,} of {total:,} bytes")
        if want is not None and h.hexdigest() != want:
            raise DownloadError(f"{url}: the checksum does not match (the file is damaged or not MNIST)")
        os.replace(part, final)
    finally:
        if part.exists():
            part.unlink()
