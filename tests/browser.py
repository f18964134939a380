"""Headless Chromium for the tests, driven over the DevTools protocol on a pipe.

Why a pipe and not ``--dump-dom``: the protocol reports every uncaught exception and console
error of a page (even those thrown before any script of ours could run), awaits promises such
as MathJax's typesetting, and takes screenshots, all from one browser process and with no
package beyond the standard library. Used by tests/test_site.py and tests/test_explorer.py.
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
from pathlib import Path
from typing import Any

APT_INSTALL = (  # fonts: Latin metrics for the screenshots, and Japanese glyphs for the reading-group page
    "apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-ipafont-gothic"
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


def chromium_path() -> str | None:
    """The Chromium executable on PATH, if any."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def ensure_chromium() -> str:
    """Chromium's path, installing Debian's package first when it is missing (CI on a fresh machine)."""
    path = chromium_path()
    if path:
        return path
    command = APT_INSTALL if os.geteuid() == 0 else APT_INSTALL.replace("apt-get", "sudo -n apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    result = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True, timeout=1800)
    path = chromium_path()
    if result.returncode != 0 or not path:
        raise RuntimeError(f"could not install chromium with `{command}`:\n{(result.stdout + result.stderr)[-3000:]}")
    return path


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
            executable or ensure_chromium(),
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
        for domain in ("Page", "Runtime", "Log"):
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

    def screenshot(self, path: Path) -> Path:
        """Save the viewport as a PNG."""
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        self.browser.call("Target.closeTarget", {"targetId": self.target})
