"""Writing report files: sanitised names, confined to the output dir, atomic.

* :func:`safe_name` turns any text (a scenario file's stem) into one harmless path
  component: ASCII letters, digits, ``.``, ``_`` and ``-``; never ``.``/``..``, never
  hidden, at most 100 characters.
* :func:`write_files` creates ``<out>/<name>/`` and writes each file to a temporary file
  in that directory, then ``os.replace``\\ s it over the target: a reader sees the old file
  or the new one, never half of one.  It refuses a sub-directory or file that is a
  symbolic link, or any path that resolves outside ``out``.  Writers of one directory
  take turns (``flock`` on it); each removes the temp files of writers that were killed.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = ["OutsideOutputDir", "safe_name", "write_files"]

_BAD = re.compile(r"[^A-Za-z0-9._-]+")


class OutsideOutputDir(ValueError):
    """Raised when a write would land outside the output directory (or via a symlink)."""


def safe_name(text: str, default: str = "scenario") -> str:
    """One safe path component for ``text``.

    >>> safe_name("ra-9x-dgx1-3x-ess3000")
    'ra-9x-dgx1-3x-ess3000'
    >>> safe_name("../../etc/passwd")
    'etc-passwd'
    >>> safe_name("<script>")
    'script'
    >>> safe_name("..")
    'scenario'
    """
    name = _BAD.sub("-", text)
    name = re.sub(r"-{2,}", "-", name).strip("-.")
    name = name[:100].rstrip("-.")
    return name or default


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def write_files(out_dir: Path, name: str, files: Mapping[str, bytes]) -> list[Path]:
    """Write ``files`` (file name -> bytes) into ``out_dir/name/`` atomically.

    Returns the paths written.  Raises :class:`OutsideOutputDir` if ``name`` or a file
    name is not a safe path component, or a path resolves outside ``out_dir``.
    """
    if safe_name(name) != name:
        raise OutsideOutputDir(f"unsafe output name {name!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir.resolve(strict=True)
    target = root / name
    if target.is_symlink():
        raise OutsideOutputDir(f"{target} is a symbolic link; refusing to write through it")
    target.mkdir(exist_ok=True)
    real = target.resolve(strict=True)
    if real.parent != root:
        raise OutsideOutputDir(f"{target} resolves outside {root}")
    with _locked(real):
        _remove_stale_temp_files(real)
        return _write_all(root, real, files)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``directory`` (one writer per report directory).

    The kernel drops the lock when its holder dies, even by SIGKILL, so a temp file found
    while holding it belongs to a writer that was killed.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, no clean-up
        yield
        return
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


#: ``tempfile.mkstemp(prefix=".NAME.", suffix=".tmp")`` names, as :func:`_write_all` makes them.
_TEMP = re.compile(r"^\.[A-Za-z0-9._-]+\.[A-Za-z0-9_]{8}\.tmp$")


def _remove_stale_temp_files(directory: Path) -> None:
    """Delete temp files left by a writer that was killed (call with the lock held)."""
    for entry in os.scandir(directory):
        if _TEMP.match(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)


def _write_all(root: Path, real: Path, files: Mapping[str, bytes]) -> list[Path]:
    written = []
    for fname, data in files.items():
        if safe_name(fname) != fname:
            raise OutsideOutputDir(f"unsafe file name {fname!r}")
        path = real / fname
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise OutsideOutputDir(f"{path} is not a regular file; refusing to replace it")
        if not _inside(path.parent.resolve(strict=True), root):  # pragma: no cover
            raise OutsideOutputDir(f"{path} resolves outside {root}")
        fd, tmp = tempfile.mkstemp(dir=real, prefix=f".{fname}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        written.append(path)
    return written


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
