"""Which optimlab code made a result: :func:`source_sha256`, recorded in every results folder (summary.json's
environment, a compare folder's recipe.toml, a sweep's sweep.toml and each sweep run's status.json).

``optimlab_version`` stays "0.1.0" across every commit, so a folder mailed to a colleague did not say which code
made it: a change to the minibatch sampler changed the numbers, and the rerun's recipe.toml was byte for byte the
first one's (a researcher's review). The digest is of the package's own files as this process imported them —
a git checkout, an edited copy or an installed wheel alike — so two folders with the same digest were made by the
same code."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path

SOURCE_KEY = "optimlab_source_sha256"
SOURCE_SUFFIXES = (".py", ".toml", ".json", ".js", ".css", ".html", ".txt")
_HEX64 = re.compile(r"[0-9a-f]{64}")


@functools.lru_cache(maxsize=1)
def source_sha256() -> str:
    """SHA-256 over optimlab's package files (those below the package's folder named ``*.py``, ``*.toml`` …, not
    compiled bytecode or an editor's swap file), each as its path relative to that folder and the SHA-256 of its
    bytes with CRLF line ends read as LF (a Windows checkout of the same commit), in path order. Read once per process,
    when optimlab is imported (a few ms): an edit or a branch switched during a long run is not taken for the code
    that ran (a code review)."""
    root = Path(__file__).resolve().parent
    files = {p.relative_to(root).as_posix(): p for p in root.rglob("*")
             if p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts and p.is_file()}
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0")
        h.update(hashlib.sha256(files[name].read_bytes().replace(b"\r\n", b"\n")).digest())
    return h.hexdigest()


GIT_KEY = "optimlab_git"


@functools.lru_cache(maxsize=1)
def source_git() -> dict[str, object] | None:
    """The git commit of the checkout optimlab was imported from, and how many of the package's files differ from
    it (``{"commit": …, "changed_files": k}``; 0: the files are that commit's), so a folder says which commit to check
    out, where the source digest can only confirm a guess (a reproducibility review). None for an installed copy (a
    path through ``site-packages``: a virtual environment inside someone's repository is not optimlab's checkout),
    outside a checkout, a copy that checkout does not track (optimlab's files copied into another repository), or
    without git. Asked once per process, when a result first records it (two short git
    calls; not at import, as the digest is read: an ``import optimlab`` starts no process)."""
    import subprocess

    root = Path(__file__).resolve().parent
    if {"site-packages", "dist-packages"} & set(root.parts):
        return None
    # git's variables of a hook or another tool's process (GIT_DIR …) would name that repository (a code review)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    try:
        def git(*args: str) -> str:
            return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10,
                                  check=True, env=env).stdout

        git("ls-files", "--error-unmatch", "--", "__init__.py")    # optimlab's own checkout, not an untracked copy
        commit = git("rev-parse", "HEAD").strip()
        changed = [line for line in git("status", "--porcelain", "--untracked-files=all", "--", ".").splitlines()
                   if Path(line[3:].strip('"')).suffix in SOURCE_SUFFIXES]
    except (OSError, subprocess.SubprocessError):       # no git, not a checkout, a commit-less repository
        return None
    return {"commit": commit, "changed_files": len(changed)} if re.fullmatch(r"[0-9a-f]{40,64}", commit) else None


def is_sha256(value: object) -> bool:
    """Whether ``value`` is 64 lowercase hex digits, as optimlab writes a SHA-256."""
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def other_source(recorded: str | None, what: str) -> str | None:
    """A warning's text when ``recorded`` (a recipe's or a folder's ``optimlab_source_sha256``) is not this code's
    digest: the numbers can differ (None when it is, or nothing was recorded: a file of an earlier optimlab)."""
    if not recorded or recorded == source_sha256():
        return None
    return (f"{what} records other optimlab code (source SHA-256 {recorded[:12]}… recorded, {source_sha256()[:12]}… "
            "now), so its numbers can differ from the recorded ones: the same code, e.g. the same git commit, "
            "reproduces them")
