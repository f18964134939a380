"""One run's outputs land in a folder as a pair, or not at all (``python -m redshift_utils run``).

A run writes its executed notebook and its results JSON into a private staging folder inside
the output folder, and only a run that finished moves both into place. Why: a reader must never
find a notebook from one run beside the JSON of another. The two renames happen with SIGINT and
SIGTERM held back, behind a small journal file; if the process is killed between them anyway,
the next run into the folder completes the move before anything else (roll forward). A lock
file refuses a second live run into the same folder, and staging folders left by killed runs
are removed by the next one. See the conventions page, book/conventions.md, section
"Rerunning a chapter: the output folder".
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from redshift_utils.book.atomic import write_bytes_atomic

LOCK_NAME = ".redshift-run.lock"
STAGING_PREFIX = ".staging-"
SUFFIXES = (".json", ".ipynb")  # the pair, in the order it is moved into place


class FolderBusy(RuntimeError):
    """Another live run is writing into the same output folder."""


def prepare(folder: Path) -> Path:
    """Create ``folder`` if needed; a clear ValueError when it is a file or cannot be written."""
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"output folder {folder} is a file; give a folder with -o")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-", delete=True)  # noqa: SIM115
        probe.close()
    except OSError as error:
        reason = "permission denied" if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else error.strerror
        raise ValueError(f"cannot write to output folder {folder} ({reason}); choose another with -o") from None
    return folder.resolve()


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the folder's lock for the whole run; raise FolderBusy if another run holds it."""
    handle = open(folder / LOCK_NAME, "a+")  # noqa: SIM115 - held until the run ends
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = f"another run is writing into {folder}; wait for it or choose another folder with -o"
            raise FolderBusy(message) from None
        yield
    finally:
        handle.close()  # releases the lock


def _journal(folder: Path, stem: str) -> Path:
    return folder / f".{stem}.commit"


def recover(folder: Path) -> None:
    """Finish a move that a killed run began, then remove staging folders of dead runs.

    Call with the folder's lock held: then no staging folder belongs to a live run.
    """
    for journal in folder.glob(".*.commit"):
        stem = journal.name[1 : -len(".commit")]
        staging = folder / journal.read_text().strip()
        for suffix in SUFFIXES:
            staged = staging / f"{stem}{suffix}"
            if staged.exists():
                os.replace(staged, folder / f"{stem}{suffix}")
        journal.unlink()
    for staging in folder.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(staging, ignore_errors=True)


def new_staging(folder: Path, stem: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{stem}-", dir=folder))


@contextmanager
def _signals_held() -> Iterator[None]:
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def commit(staging: Path, folder: Path, stem: str) -> None:
    """Move ``<stem>.json`` and ``<stem>.ipynb`` from staging into the folder, as a pair."""
    missing = [f"{stem}{s}" for s in SUFFIXES if not (staging / f"{stem}{s}").exists()]
    if missing:
        raise RuntimeError(f"the run did not produce {', '.join(missing)}")
    journal = _journal(folder, stem)
    with _signals_held():
        write_bytes_atomic(journal, staging.name.encode())
        for suffix in SUFFIXES:
            os.replace(staging / f"{stem}{suffix}", folder / f"{stem}{suffix}")
        journal.unlink()
    (folder / f"{stem}.failed.ipynb").unlink(missing_ok=True)  # an older failure no longer applies


def keep_failed(staging: Path, folder: Path, stem: str) -> Path | None:
    """Move a failed run's notebook to ``<stem>.failed.ipynb`` (the good pair stays); its path."""
    executed = staging / f"{stem}.ipynb"
    if not executed.exists():
        return None
    target = folder / f"{stem}.failed.ipynb"
    os.replace(executed, target)
    return target
