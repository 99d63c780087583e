"""Reading and writing source files byte-exactly: encoding (PEP 263 cookie, BOM) and line endings are kept,
and writes are atomic (a temporary file in the same directory, then a rename), keeping the file's mode."""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass

from mplint.text import split_lines_keepends

__all__ = [
    "SourceError",
    "SourceFile",
    "decode_source",
    "read_source",
    "split_lines_keepends",
    "write_source",
]


class SourceError(Exception):
    """The file cannot be read or decoded; the message says why, for the user."""


@dataclass(frozen=True)
class SourceFile:
    path: str
    text: str
    encoding: str  # as tokenize.detect_encoding names it ("utf-8-sig" when there is a BOM)
    digest: str  # sha256 of the bytes read, to notice changes before writing

    @property
    def has_bom(self) -> bool:
        return self.encoding == "utf-8-sig"


def decode_source(data: bytes, path: str = "<stdin>") -> tuple[str, str]:
    """Bytes to text the way Python itself would decode the file; returns (text, encoding)."""
    if b"\x00" in data:
        raise SourceError("contains NUL bytes: not a Python source file")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise SourceError(
            f"bad coding cookie: {error.msg if hasattr(error, 'msg') else error}"
        ) from error
    try:
        codecs.lookup(encoding)
    except LookupError as error:  # pragma: no cover - detect_encoding checks this already
        raise SourceError(f"unknown encoding {encoding!r}") from error
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise SourceError(
            f"cannot decode as {encoding} (byte {error.start}: {error.reason}); "
            "add a coding cookie or fix the file's encoding"
        ) from error
    return text, encoding


def read_source(path: str) -> SourceFile:
    try:
        if os.path.isdir(path):
            raise SourceError("is a directory")
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError as error:
        raise SourceError("no such file (it may have been removed during the run)") from error
    except PermissionError as error:
        raise SourceError("permission denied") from error
    except IsADirectoryError as error:
        raise SourceError("is a directory") from error
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}") from error
    text, encoding = decode_source(data, path)
    return SourceFile(path, text, encoding, hashlib.sha256(data).hexdigest())


def encode_source(text: str, encoding: str) -> bytes:
    return text.encode(encoding)


def write_source(source: SourceFile, new_text: str) -> None:
    """Atomically replace ``source.path`` with ``new_text`` in the file's own encoding and mode.

    Refuses (SourceError) when the file changed on disk since it was read, is not writable, or is a
    symbolic link pointing outside the directory tree it was found in.
    """
    path = source.path
    try:
        data = encode_source(new_text, source.encoding)
    except UnicodeEncodeError as error:
        raise SourceError(f"the fixed text cannot be encoded as {source.encoding}") from error
    real = os.path.realpath(path)
    if os.path.islink(path):
        home = os.path.realpath(os.path.dirname(os.path.abspath(path)))
        if os.path.commonpath([home, real]) != home:
            raise SourceError(
                f"is a symbolic link to {real}, outside its own directory; not written through"
            )
    try:
        info = os.stat(real)
        with open(real, "rb") as handle:
            current = handle.read()
    except OSError as error:
        raise SourceError(f"cannot re-read before writing: {error.strerror or error}") from error
    if hashlib.sha256(current).hexdigest() != source.digest:
        raise SourceError("changed on disk since it was read; not overwritten")
    if not os.access(real, os.W_OK) or not (
        info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    ):
        raise SourceError("is read-only; not overwritten")
    directory = os.path.dirname(real) or "."
    fd, temp = tempfile.mkstemp(prefix=".mplint-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, stat.S_IMODE(info.st_mode))
        with contextlib.suppress(OSError, AttributeError):
            # not permitted for other owners unless root; the mode is what matters
            os.chown(temp, info.st_uid, info.st_gid)
        os.replace(temp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
