"""Writing report files: sanitized names, confined to the output dir, atomic as a set.

* :func:`safe_name` turns any text (a scenario file's stem) into one harmless path
  component: ASCII letters, digits, ``.``, ``_`` and ``-``; never ``.``/``..``, never
  hidden, at most 100 characters.
* :func:`write_reports` writes every report's files (``report.html``, ``report.pdf``) into
  a fresh staging directory under ``out``, then swaps each staging directory with
  ``out/<name>/`` in one ``rename`` (Linux ``renameat2(RENAME_EXCHANGE)``): a reader, or a
  run killed at any moment, sees the previous complete set of files or the new complete
  set, never a new HTML beside an old PDF.  Everything is staged before anything is
  swapped, so a failure while writing (a full disk) leaves every report as it was.  Files
  of the user's in ``out/<name>/`` are moved into the new directory; report files the new
  run does not write (``report.pdf`` after ``--format html``) go with the old set.
* A symbolic link for ``out/<name>`` or for a report file, or a path resolving outside
  ``out``, is refused before anything is written.
* Writers of one output directory take turns (``flock`` on it).  The staging directories
  a writer creates are listed, while it holds the lock, in ``out/.sizer-staging``; the
  next writer finishes or removes only those (a killed writer's), and only the report
  files in them: nothing else under ``out`` is ever deleted.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

__all__ = [
    "OutsideOutputDir",
    "PartialWriteError",
    "check_target",
    "output_name",
    "safe_name",
    "write_files",
    "write_reports",
]

_BAD = re.compile(r"[^A-Za-z0-9._-]+")

#: the files a report directory may hold that sizer writes (and so may replace or remove)
REPORT_FILES = ("report.html", "report.pdf", "bom.csv", "bom.xlsx")
#: the list of staging directories of writers in progress (or killed), in ``out``
JOURNAL = ".sizer-staging"
_STAGING = re.compile(r"^\.sizer-[A-Za-z0-9._-]+\.[A-Za-z0-9_]{8}$")


class OutsideOutputDir(ValueError):
    """Raised when a write would land outside the output directory (or via a symlink)."""


class PartialWriteError(OSError):
    """Raised when swapping a staged report in failed after earlier reports were swapped
    in: ``written`` lists their files (the failed report and later ones are unchanged)."""

    def __init__(self, cause: OSError, written: list[Path]) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.written = written


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


def output_name(stem: str) -> str:
    """The report directory for a scenario file's stem: the stem itself when it is a safe
    name, else :func:`safe_name` of it plus 8 hex digits of its SHA-256, so that stems that
    sanitize alike ('a b', 'a\\nb', 'a\\x1bb') never share (and overwrite) a directory.

    >>> output_name("ra-9x-dgx1-3x-ess3000")
    'ra-9x-dgx1-3x-ess3000'
    >>> output_name("a b"), output_name("a\\nb")
    ('a-b-c8687a08', 'a-b-7e18f737')
    """
    safe = safe_name(stem)
    if safe == stem:
        return stem
    import hashlib

    digest = hashlib.sha256(stem.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{safe[:91].rstrip('-.')}-{digest}"


def write_files(out_dir: Path, name: str, files: Mapping[str, bytes]) -> list[Path]:
    """Write ``files`` (file name -> bytes) into ``out_dir/name/`` as one set.

    Returns the paths written.  Raises :class:`OutsideOutputDir` if ``name`` or a file
    name is not a safe path component, or a path resolves outside ``out_dir``.
    """
    return write_reports(out_dir, [(name, files)])


def check_target(out_dir: Path, name: str, fnames: Sequence[str]) -> None:
    """Refuse, before anything is written, a report directory that cannot be replaced
    safely: an unsafe name, a symbolic link, something other than a directory, or a report
    file that is a link or not a regular file."""
    if safe_name(name) != name:
        raise OutsideOutputDir(f"unsafe output name {name!r}")
    for fname in fnames:
        if safe_name(fname) != fname or fname not in REPORT_FILES:
            raise OutsideOutputDir(f"unsafe file name {fname!r}")
    base = out_dir.resolve() if out_dir.exists() else Path(os.path.abspath(out_dir))
    target = base / name
    if target.is_symlink():
        raise OutsideOutputDir(f"{target} is a symbolic link; refusing to write through it")
    if target.exists() and not target.is_dir():
        raise OutsideOutputDir(f"{target} is not a directory; refusing to replace it")
    for fname in REPORT_FILES:
        path = target / fname
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise OutsideOutputDir(f"{path} is not a regular file; refusing to replace it")


def write_reports(out_dir: Path, reports: Sequence[tuple[str, Mapping[str, bytes]]]) -> list[Path]:
    """Write several reports, each ``(name, {file name: bytes})``, into ``out_dir/<name>/``.

    Every target is checked (:func:`check_target`) and every report staged before the
    first is swapped in; on an error while staging nothing changes under ``out_dir``
    (an ``out_dir`` this call created is removed again).

    Returns
    -------
    list of Path
        The files written, in order.
    """
    for name, files in reports:
        check_target(out_dir, name, list(files))
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir.resolve(strict=True)
    staged: list[tuple[Path, Path]] = []
    try:
        with _locked(root):
            _finish_leftovers(root)
            try:
                for name, files in reports:
                    check_target(root, name, list(files))  # again, under the lock
                    staged.append((_stage(root, name, files), root / name))
            except BaseException:
                for staging, _ in staged:
                    _discard(root, staging, None)
                raise
            written: list[Path] = []
            for i, ((staging, target), (_, files)) in enumerate(zip(staged, reports, strict=True)):
                try:
                    _swap_in(root, staging, target)
                except OSError as e:
                    for rest, _ in staged[i:]:
                        _discard(root, rest, None)
                    raise PartialWriteError(e, written) from e
                written += [target / f for f in files]
            return written
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                out_dir.rmdir()  # only if empty: nothing of ours or anyone's is left
        raise


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``directory`` (one writer per output directory).

    The kernel drops the lock when its holder dies, even by SIGKILL, so a staging directory
    listed in the journal while holding it belongs to a writer that was killed.
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


def _journal(root: Path) -> list[str]:
    try:
        text = (root / JOURNAL).read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError):
        return []
    return [ln for ln in text.splitlines() if _STAGING.match(ln)]


def _set_journal(root: Path, names: list[str]) -> None:
    path = root / JOURNAL
    if not names:
        with contextlib.suppress(FileNotFoundError):
            if path.is_file() and not path.is_symlink():
                path.unlink()
        return
    tmp = root / f"{JOURNAL}.new"
    tmp.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
    os.replace(tmp, path)


def _stage(root: Path, name: str, files: Mapping[str, bytes]) -> Path:
    """A fresh staging directory under ``root`` holding ``files``, listed in the journal."""
    staging = Path(tempfile.mkdtemp(dir=root, prefix=f".sizer-{name}."))
    _set_journal(root, [*_journal(root), staging.name])
    try:
        os.chmod(staging, 0o777 & ~_umask())
        for fname, data in files.items():
            path = staging / fname
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask())
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        _discard(root, staging, None)
        raise
    return staging


def _swap_in(root: Path, staging: Path, target: Path) -> None:
    """Put ``staging`` in place of ``target`` in one rename; then move the user's files
    from the old directory into the new one and remove the old one."""
    if not target.exists():
        os.rename(staging, target)
    elif not _exchange(staging, target):  # pragma: no cover - no renameat2 (not Linux)
        aside = staging.with_name(staging.name + "-old")
        os.rename(target, aside)
        os.rename(staging, target)
        os.rename(aside, staging)
    _fsync_dir(root)
    _discard(root, staging, target)


def _discard(root: Path, staging: Path, target: Path | None) -> None:
    """Empty and remove a staging directory (after a swap: the old report directory).

    Report files in it are removed; any other entry is moved into ``target`` when that is
    free, else left where it is (with the directory) -- never deleted.
    """
    if staging.is_dir() and not staging.is_symlink():
        for entry in os.scandir(staging):
            if entry.name in REPORT_FILES and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
            elif target is not None and target.is_dir() and not (target / entry.name).exists():
                os.rename(entry.path, target / entry.name)
        with contextlib.suppress(OSError):
            staging.rmdir()
    _set_journal(root, [n for n in _journal(root) if n != staging.name])


def _finish_leftovers(root: Path) -> None:
    """Finish or remove the staging directories of killed writers (call with the lock).

    A listed directory is either a killed writer's half-staged report (its report files
    are dropped) or, after the swap, the old report directory (its user files are moved
    into the report directory named in it).
    """
    for name in _journal(root):
        staging = root / name
        report = name.removeprefix(".sizer-").rsplit(".", 1)[0]
        target = root / report
        _discard(root, staging, target if safe_name(report) == report else None)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (``renameat2(RENAME_EXCHANGE)``); False if not supported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (38, 22, 95):  # pragma: no cover - ENOSYS, EINVAL, EOPNOTSUPP: use the fallback
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
