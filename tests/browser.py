"""Headless Chromium (or Google Chrome) for the tests, driven over the DevTools protocol on a pipe.

Why a pipe and not ``--dump-dom``: the protocol reports every uncaught exception and console
error of a page (even those thrown before any script of ours could run), awaits promises such
as MathJax's typesetting, and takes screenshots, all from one browser process and with no
package beyond the standard library. Used by tests/test_site.py and tests/test_explorer.py.

Finding a browser (``require_browser``): $CHROME, then chromium, chromium-browser, google-chrome,
google-chrome-stable on PATH, then the macOS applications. With none, Debian's chromium is installed
with apt-get where apt-get exists and we are root (or `sudo -n` works); otherwise the browser tests
are skipped with a reason saying how to enable them, except under CI=true, where they fail.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

# Looked for in this order after $CHROME: any Chromium-family browser speaks the DevTools protocol.
PATH_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MAC_APPS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
# Installed with apt-get (Debian, Ubuntu) when no browser is found and we are root or `sudo -n` works.
# Fonts: Latin metrics for the screenshots, and Japanese glyphs for the reading-group page (also
# installed when a browser is already there but `fc-list :lang=ja` finds no Japanese font).
BROWSER_PACKAGES = ("chromium",)
FONT_PACKAGES = ("fonts-liberation", "fonts-ipafont-gothic")
HOW_TO_ENABLE = (
    "install Chromium or Google Chrome (found on PATH as chromium, chromium-browser, google-chrome or "
    "google-chrome-stable, or in /Applications on macOS), or set CHROME=/path/to/browser; "
    "on Debian or Ubuntu as root (or with passwordless sudo) the tests install chromium themselves"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
]


class BrowserSetupError(RuntimeError):
    """The browser is misconfigured ($CHROME is not an executable) or its installation failed."""


class ChromeVariableError(BrowserSetupError):
    """$CHROME is set but is not an executable: always a failure, never a skip."""


class BrowserUnavailable(RuntimeError):
    """No browser found and none can be installed here (no apt-get, or not root and no `sudo -n`)."""


def in_ci() -> bool:
    """True under continuous integration (CI=true), where the browser tests must run, never skip."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_browser() -> str | None:
    """The first Chromium-family browser: $CHROME, then PATH_NAMES on PATH, then MAC_APPS.

    $CHROME, when set, must be an executable (a path, or a name on PATH): otherwise ChromeVariableError
    names it, instead of silently testing another browser than the one asked for.
    """
    chosen = os.environ.get("CHROME", "").strip()
    if chosen:
        expanded = os.path.expanduser(chosen)
        if _executable(expanded):
            return expanded
        if os.sep not in chosen and shutil.which(chosen):
            return shutil.which(chosen)
        raise ChromeVariableError(
            f"CHROME={chosen!r} is not an executable file: set CHROME to the path of a Chromium or "
            "Google Chrome binary (on macOS, e.g. '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'), "
            "or unset it to search PATH"
        )
    for name in PATH_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for app in MAC_APPS:
        if _executable(app):
            return app
    return None


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def apt_prefix() -> list[str] | None:
    """How to run apt-get: [] as root, ["sudo", "-n"] with passwordless sudo, None when it cannot run."""
    if not shutil.which("apt-get"):
        return None
    if _is_root():
        return []
    if shutil.which("sudo"):
        try:
            result = subprocess.run(["sudo", "-n", "true"], capture_output=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if result.returncode == 0:
            return ["sudo", "-n"]
    return None


def japanese_font_present() -> bool:
    """Whether fontconfig knows a font with Japanese glyphs (`fc-list :lang=ja` prints something)."""
    if not shutil.which("fc-list"):
        return False
    try:
        result = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and bool(result.stdout.strip())


def apt_install(packages: tuple[str, ...] | list[str], prefix: list[str]) -> tuple[bool, str]:
    """`apt-get update && apt-get install` of ``packages``; returns (success, the command and its output's tail)."""
    apt = " ".join([*prefix, "apt-get"])
    command = f"{apt} update && {apt} install -y --no-install-recommends {' '.join(packages)}"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        result = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"`{command}`: {error}"
    return result.returncode == 0, f"`{command}`:\n{(result.stdout + result.stderr)[-3000:]}"


_fonts_tried = False


def ensure_browser() -> str:
    """A browser's path, installing Debian's chromium (and the fonts) with apt-get where we may.

    Raises BrowserSetupError when $CHROME is wrong or an installation failed, and BrowserUnavailable
    when there is no browser and no way to install one (see HOW_TO_ENABLE).
    """
    global _fonts_tried
    path = find_browser()
    if path:
        if not _fonts_tried and not japanese_font_present():
            _fonts_tried = True  # once per session: a failed attempt is not repeated for every fixture
            prefix = apt_prefix()
            if prefix is not None:
                ok, log = apt_install(FONT_PACKAGES, prefix)
                if not ok:
                    message = f"could not install the Japanese font (pages in Japanese will show boxes) with {log}"
                    warnings.warn(message, stacklevel=2)
        return path
    prefix = apt_prefix()
    if prefix is None:
        raise BrowserUnavailable(f"no Chromium-family browser found; to run the browser tests, {HOW_TO_ENABLE}")
    ok, log = apt_install((*BROWSER_PACKAGES, *FONT_PACKAGES), prefix)
    _fonts_tried = True
    path = find_browser()
    if not ok or not path:
        raise BrowserSetupError(f"no browser found, and could not install chromium with {log}")
    return path


def require_browser() -> str:
    """For pytest fixtures: the browser's path, or a skip saying how to enable the browser tests.

    Fails instead of skipping under CI=true (they must run there) and when $CHROME names no executable.
    A failed apt-get installation skips on a reader's computer (e.g. offline) and fails under CI.
    """
    import pytest

    try:
        return ensure_browser()
    except ChromeVariableError as error:
        pytest.fail(str(error))
    except (BrowserUnavailable, BrowserSetupError) as error:
        if in_ci():
            pytest.fail(f"CI=true, so the browser tests must run, but: {error}")
        if isinstance(error, BrowserUnavailable):
            pytest.skip(str(error))
        pytest.skip(f"{error}\nTo run the browser tests: {HOW_TO_ENABLE}")


def _high_pipe() -> tuple[int, int]:
    """A pipe whose ends are numbered 10 or more, so that they never collide with fds 3 and 4."""
    low = os.pipe()
    high = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in low)
    for fd in low:
        os.close(fd)
    return high


class BrowserError(RuntimeError):
    """Chromium answered with an error, closed the pipe or did not answer in time."""


class Browser:
    """One headless Chromium process; ``page()`` opens tabs. Use as a context manager."""

    def __init__(self, executable: str | None = None, *, width: int = 1280, height: int = 900) -> None:
        self.width, self.height = width, height
        self._profile = tempfile.TemporaryDirectory(prefix="redshift-chromium-")
        self._log = open(Path(self._profile.name) / "chromium.log", "wb")  # noqa: SIM115 (closed in close())
        to_chrome_r, to_chrome_w = _high_pipe()
        from_chrome_r, from_chrome_w = _high_pipe()
        # --remote-debugging-pipe reads commands on fd 3 and writes replies on fd 4.
        launcher = f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w} {to_chrome_r}<&- {from_chrome_w}>&-'
        argv = [
            executable or ensure_browser(),
            *FLAGS,
            f"--user-data-dir={self._profile.name}",
            f"--window-size={width},{height}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self._process = subprocess.Popen(
            ["bash", "-c", launcher, *argv],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._write, self._read = to_chrome_w, from_chrome_r
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    # -- protocol ---------------------------------------------------------------------------
    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError("chromium did not answer in time")
            ready, _, _ = select.select([self._read], [], [], remaining)
            if ready:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    raise BrowserError(f"chromium closed the pipe (exit code {self._process.poll()})")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, *, session: str | None = None, timeout: float = 60) -> dict:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, *, session: str, timeout: float = 60) -> dict:
        """The first event ``method`` of ``session`` (removed from the queue), waiting if needed."""
        deadline = time.monotonic() + timeout
        while True:
            for index, event in enumerate(self.events):
                if event["method"] == method and event.get("sessionId") == session:
                    return self.events.pop(index)["params"]
            reply = self._receive(deadline)
            if "method" in reply:
                self.events.append(reply)

    def page(self, *, dark: bool = False) -> Page:
        """A new tab with the browser's viewport; ``dark`` sets the theme's dark mode before any script runs."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, target, session, dark=dark)

    def close(self) -> None:
        try:
            if self._process.poll() is None:
                self.call("Browser.close", timeout=10)
                self._process.wait(timeout=20)
        except (BrowserError, OSError, subprocess.TimeoutExpired):
            if self._process.poll() is None:
                self._process.kill()
                self._process.wait(timeout=20)
        finally:
            for fd in (self._write, self._read):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._log.close()
            self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Page:
    """One tab: navigate, evaluate JavaScript, collect errors, take screenshots."""

    def __init__(self, browser: Browser, target: str, session: str, *, dark: bool) -> None:
        self.browser, self.target, self.session = browser, target, session
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": browser.width, "height": browser.height, "deviceScaleFactor": 1, "mobile": False},
        )
        if dark:
            # pydata-sphinx-theme reads the mode from localStorage before it paints; "auto" follows the media query.
            script = "try { localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark'); } catch (e) {}"
            self.call("Page.addScriptToEvaluateOnNewDocument", {"source": script})
            self.call("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})

    def call(self, method: str, params: dict | None = None, *, timeout: float = 60) -> dict:
        return self.browser.call(method, params, session=self.session, timeout=timeout)

    def goto(self, url: str, *, timeout: float = 60) -> None:
        """Load ``url`` and wait for its load event; earlier errors of this tab are dropped."""
        self.browser.events = [e for e in self.browser.events if e.get("sessionId") != self.session]
        result = self.call("Page.navigate", {"url": url}, timeout=timeout)
        if result.get("errorText"):
            raise BrowserError(f"cannot open {url}: {result['errorText']}")
        if "loaderId" in result:  # absent when only the #fragment changed: no new document, no load event
            self.browser.wait_event("Page.loadEventFired", session=self.session, timeout=timeout)

    def evaluate(self, expression: str, *, timeout: float = 60) -> Any:
        """Value of a JavaScript expression (promises are awaited); a thrown error raises BrowserError."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(details.get("exception", {}).get("description") or details.get("text"))
        return result["result"].get("value")

    def errors(self) -> list[str]:
        """Uncaught exceptions, console.error calls and error log entries (e.g. a failed load) so far."""
        found = []
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            params = event["params"]
            if event["method"] == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(details.get("exception", {}).get("description") or details.get("text", "exception"))
            elif event["method"] == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                found.append(
                    "console.error: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
                )
            elif event["method"] == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                found.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
        return found

    def requests(self) -> list[str]:
        """URLs this tab requested since its last ``goto``."""
        return [
            event["params"]["request"]["url"]
            for event in self.browser.events
            if event.get("sessionId") == self.session and event["method"] == "Network.requestWillBeSent"
        ]

    def external_requests(self) -> list[str]:
        """Requests that leave the machine (anything but file:, data:, blob: and about: URLs)."""
        return [url for url in self.requests() if not url.startswith(("file:", "data:", "blob:", "about:"))]

    def press(self, key: str, code: int) -> None:
        """Press and release a key (e.g. ``press("ArrowRight", 39)``) as a user would."""
        for kind in ("keyDown", "keyUp"):
            self.call(
                "Input.dispatchKeyEvent",
                {"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code},
            )

    def screenshot(self, path: Path) -> Path:
        """Save the viewport as a PNG."""
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        self.browser.call("Target.closeTarget", {"targetId": self.target})
