"""Where finops-tui keeps its config, cache, demo data, logs and temporary files (XDG via platformdirs).

`FINOPS_TUI_CONFIG_DIR`, `FINOPS_TUI_DATA_DIR`, `FINOPS_TUI_LOG_DIR` and `FINOPS_TUI_TEMP_DIR` move
each root (tests isolate every run this way); `--cache`/`FINOPS_TUI_CACHE` move the cache file alone.
`FINOPS_TUI_BACKENDS_DIR` moves the REST client's last good answers.
Folders finops-tui creates are private (0700) whatever the umask: they hold cost data.
"""

from __future__ import annotations

import atexit
import errno
import os
import shutil
import socket
import stat
import tempfile
from contextlib import suppress
from pathlib import Path

from platformdirs import PlatformDirs

_DIRS = PlatformDirs("finops-tui", appauthor=False)


def _dir(env: str, default: str) -> Path:
    value = os.environ.get(env)
    return Path(value).expanduser() if value else Path(default)


def config_dir() -> Path:
    return _dir("FINOPS_TUI_CONFIG_DIR", _DIRS.user_config_dir)


def data_dir() -> Path:
    """Caches live here: they are the user's data, not disposable like ~/.cache."""
    return _dir("FINOPS_TUI_DATA_DIR", _DIRS.user_data_dir)


def log_dir() -> Path:
    return _dir("FINOPS_TUI_LOG_DIR", _DIRS.user_log_dir)


def config_file() -> Path:
    return config_dir() / "config.toml"


def default_cache_file() -> Path:
    return data_dir() / "cache.duckdb"


def demo_dir() -> Path:
    return data_dir() / "demo"


def demo_cache_file() -> Path:
    return demo_dir() / "demo.duckdb"


def auth_db_file() -> Path:
    """The API tokens `finops-tui serve` accepts (hashes only); `token --auth-db` and `serve --auth-db` move it."""
    return data_dir() / "auth.sqlite3"


def budgets_file() -> Path:
    """The budgets file (TOML, see finops_tui/analysis/budget_file.py); `budgets_file` in the config overrides it."""
    return config_dir() / "budgets.toml"


def demo_budgets_file() -> Path:
    """The DEMO's example budgets file, written beside the DEMO cache."""
    return demo_dir() / "budgets.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def log_file() -> Path:
    return log_dir() / "finops-tui.jsonl"


def backends_dir() -> Path:
    """Last good answers of each REST backend (`--backend URL`), a folder per URL: disposable, so in the cache dir."""
    return _dir("FINOPS_TUI_BACKENDS_DIR", str(Path(_DIRS.user_cache_dir) / "backends"))


def credentials_file() -> Path:
    """Backend tokens when no system keyring exists (0600)."""
    return config_dir() / "credentials.json"


def temp_dir() -> Path:
    """Root of the per-process temporary folders (zip members, S3 downloads, scratch and snapshot copies).

    In the user's cache dir rather than a shared /tmp, so no other user can plant or read a path there,
    and so the next run finds what a killed one left behind.
    """
    return _dir("FINOPS_TUI_TEMP_DIR", str(Path(_DIRS.user_cache_dir) / "tmp"))


def make_private_dir(path: Path) -> Path:
    """Create `path` and its missing parents as 0700 whatever the umask; an existing folder is left as it is."""
    missing = []
    folder = path
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:  # made by a concurrent run in the meantime: it is theirs to keep as it is
            continue
        os.chmod(folder, 0o700)  # mkdir's mode is reduced by the umask; chmod is not
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(path))
    return path


_PROCESS_DIRS: dict[tuple[int, Path], Path] = {}  # (pid, temp_dir()) -> that process's folder
_PROCESS_PREFIX = "pid-"


def process_temp_dir() -> Path:
    """This process's private temporary folder (0700, named by PID and host), removed when it exits.

    Made on first use; folders of processes that are no longer alive (killed runs) are removed then.
    Raises OSError when no private folder can be made.
    """
    pid = os.getpid()
    key = (pid, temp_dir())
    known = _PROCESS_DIRS.get(key)
    if known is not None and known.is_dir():
        return known
    root = _temp_root()
    _remove_dead_process_dirs(root)
    folder = root / f"{_PROCESS_PREFIX}{pid}@{socket.gethostname()}"
    shutil.rmtree(folder, ignore_errors=True)  # a dead process that had our PID
    os.mkdir(folder, 0o700)
    os.chmod(folder, 0o700)
    _PROCESS_DIRS[key] = folder
    atexit.register(_remove_process_dir, pid, folder)
    return folder


def _temp_root() -> Path:
    """temp_dir(), or when it cannot be made (read-only HOME), a folder of this user's own in the system temp dir."""
    try:
        return make_private_dir(temp_dir())
    except OSError:
        pass
    root = Path(tempfile.gettempdir()) / f"finops-tui-{os.geteuid()}"
    with suppress(FileExistsError):
        os.mkdir(root, 0o700)
        os.chmod(root, 0o700)
    st = os.lstat(root)
    # A shared folder: use it only if it is a real folder of ours that nobody else can enter.
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
        raise PermissionError(errno.EPERM, "not a private folder of this user", str(root))
    return root


def _remove_dead_process_dirs(root: Path) -> None:
    host = socket.gethostname()
    with suppress(OSError):
        for entry in os.scandir(root):
            pid, _, entry_host = entry.name.removeprefix(_PROCESS_PREFIX).partition("@")
            if (
                entry.name.startswith(_PROCESS_PREFIX)
                and pid.isdigit()
                and entry_host == host
                and not process_alive(int(pid))
            ):
                shutil.rmtree(entry.path, ignore_errors=True)


def process_alive(pid: int) -> bool:
    """Whether a process with this PID exists (on this host), whoever owns it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _remove_process_dir(pid: int, folder: Path) -> None:
    if os.getpid() == pid:  # a forked child inherits the handler but not the folder
        shutil.rmtree(folder, ignore_errors=True)
