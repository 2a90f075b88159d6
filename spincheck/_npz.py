"""Deterministic ``.npz`` and ``.npy`` writing: the same arrays always give the same bytes.

``numpy.savez`` stamps each member with the current time, so two identical
models would differ byte for byte; this writer fixes the timestamp.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

_EPOCH = (1980, 1, 1, 0, 0, 0)


def save_npz(path: Path, **arrays: np.ndarray) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            with zf.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(arrays[name]), allow_pickle=False)


def save_npy(path: Path, array: np.ndarray) -> None:
    """``np.save`` through a new file renamed over ``path``.

    ``array`` may be memory-mapped from ``path`` itself (a loaded reference saved back in
    place): writing into the old file truncated it first, and the keys read back as zeros.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as f:  # a file object: np.save would add ".npy" to the name
            np.save(f, np.ascontiguousarray(array), allow_pickle=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_npy(path: Path, mmap: bool) -> np.ndarray:
    """The one array of an ``.npy`` file, read without pickle.

    ``np.load`` reads by content, not name: an ``.npz`` archive saved under an ``.npy`` name came
    back as an open archive, which failed later as "'NpzFile' object has no attribute 'shape'".
    """
    array = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    if not isinstance(array, np.ndarray):
        array.close()
        raise ValueError(f"{path.name} is an .npz archive, not one .npy array")
    return array
