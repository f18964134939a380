"""How tests/browser.py finds a browser, installs one, or skips: no browser is started here.

PATH is replaced by a temporary folder of fake executables, so the machine's own browsers,
apt-get and sudo are invisible, and installation is replaced by a recorder.
"""

from __future__ import annotations

import os
import stat

import browser
import pytest


def fake_executable(folder, name: str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(path)


@pytest.fixture
def bare(tmp_path, monkeypatch):
    """No browser anywhere, no apt-get, not CI: PATH is an empty folder and the macOS paths point nowhere."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.delenv("CHROME", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(browser, "MAC_APPS", (str(tmp_path / "Applications" / "Google Chrome"),))
    monkeypatch.setattr(browser, "_fonts_tried", False)
    installs: list[tuple[tuple[str, ...], list[str]]] = []

    def record(packages, prefix):
        installs.append((tuple(packages), list(prefix)))
        return True, "recorded"

    monkeypatch.setattr(browser, "apt_install", record)
    return folder, installs


def test_chrome_variable_is_honoured_before_path(bare, tmp_path, monkeypatch):
    folder, installs = bare
    fake_executable(folder, "chromium")
    chosen = fake_executable(tmp_path / "elsewhere", "my-chrome")
    monkeypatch.setenv("CHROME", chosen)
    assert browser.find_browser() == chosen
    monkeypatch.setattr(browser, "japanese_font_present", lambda: True)
    assert browser.require_browser() == chosen
    assert installs == []


@pytest.mark.parametrize("problem", ["missing", "not executable", "a folder"])
def test_chrome_variable_that_is_not_an_executable_fails_naming_it(bare, tmp_path, monkeypatch, problem):
    folder, _ = bare
    fake_executable(folder, "chromium")  # not used instead of the browser asked for
    target = tmp_path / "not-chrome"
    if problem == "not executable":
        target.write_text("")
    elif problem == "a folder":
        target.mkdir()
    monkeypatch.setenv("CHROME", str(target))
    with pytest.raises(browser.ChromeVariableError, match=f"CHROME='{target}' is not an executable"):
        browser.find_browser()
    with pytest.raises(pytest.fail.Exception, match="CHROME="):  # a failure, not a skip, even outside CI
        browser.require_browser()


def test_google_chrome_is_found_on_path(bare):
    folder, _ = bare
    chrome = fake_executable(folder, "google-chrome")
    assert browser.find_browser() == chrome
    stable = fake_executable(folder, "google-chrome-stable")
    assert browser.find_browser() == chrome  # the order of PATH_NAMES
    os.remove(chrome)
    assert browser.find_browser() == stable
    chromium = fake_executable(folder, "chromium-browser")
    assert browser.find_browser() == chromium


def test_macos_application_is_found(bare, tmp_path):
    app = fake_executable(tmp_path / "Applications", "Google Chrome")
    assert browser.find_browser() == app


def test_without_browser_apt_or_root_the_tests_skip_saying_how_to_enable_them(bare, monkeypatch):
    assert browser.find_browser() is None
    assert browser.apt_prefix() is None  # no apt-get on PATH
    with pytest.raises(browser.BrowserUnavailable):
        browser.ensure_browser()
    with pytest.raises(pytest.skip.Exception, match="install Chromium or Google Chrome") as skipped:
        browser.require_browser()
    assert "CHROME=/path/to/browser" in str(skipped.value)
    # Not root, and sudo asks for a password: no installation either.
    folder, installs = bare
    fake_executable(folder, "apt-get")
    (folder / "sudo").write_text("#!/bin/sh\nexit 1\n")
    (folder / "sudo").chmod(0o755)
    monkeypatch.setattr(browser, "_is_root", lambda: False)
    assert browser.apt_prefix() is None
    with pytest.raises(pytest.skip.Exception):
        browser.require_browser()
    assert installs == []


@pytest.mark.parametrize("value", ["true", "1"])
def test_under_ci_a_missing_browser_fails_instead_of_skipping(bare, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI=true, so the browser tests must run"):
        browser.require_browser()


def test_under_ci_a_failed_installation_fails(bare, monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(browser, "apt_prefix", lambda: [])
    failed = (False, "`apt-get install chromium`: E: offline")
    monkeypatch.setattr(browser, "apt_install", lambda packages, prefix: failed)
    with pytest.raises(pytest.fail.Exception, match="could not install chromium"):
        browser.require_browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="E: offline"):  # on a reader's computer: skipped, with the reason
        browser.require_browser()


@pytest.mark.parametrize("prefix", [[], ["sudo", "-n"]])
def test_apt_installs_chromium_and_the_japanese_font_as_root_or_with_sudo(bare, monkeypatch, prefix):
    folder, installs = bare
    monkeypatch.setattr(browser, "apt_prefix", lambda: prefix)

    def install(packages, given):
        installs.append((tuple(packages), list(given)))
        fake_executable(folder, "chromium")
        return True, "installed"

    monkeypatch.setattr(browser, "apt_install", install)
    assert browser.require_browser() == str(folder / "chromium")
    assert installs == [(("chromium", "fonts-liberation", "fonts-ipafont-gothic"), prefix)]


def test_apt_prefix_needs_apt_get_and_root_or_passwordless_sudo(bare, monkeypatch):
    folder, _ = bare
    monkeypatch.setattr(browser, "_is_root", lambda: True)
    assert browser.apt_prefix() is None  # root, but no apt-get (macOS, Fedora...)
    fake_executable(folder, "apt-get")
    assert browser.apt_prefix() == []
    monkeypatch.setattr(browser, "_is_root", lambda: False)
    assert browser.apt_prefix() is None  # no sudo
    fake_executable(folder, "sudo")  # exits 0: `sudo -n true` succeeds
    assert browser.apt_prefix() == ["sudo", "-n"]


def test_japanese_font_is_installed_when_the_browser_is_already_there(bare, monkeypatch):
    folder, installs = bare
    chromium = fake_executable(folder, "chromium")
    monkeypatch.setattr(browser, "apt_prefix", lambda: [])
    monkeypatch.setattr(browser, "japanese_font_present", lambda: False)
    assert browser.require_browser() == chromium
    assert installs == [(("fonts-liberation", "fonts-ipafont-gothic"), [])]
    assert browser.require_browser() == chromium  # tried once per session
    assert len(installs) == 1


def test_no_font_installation_when_the_font_is_there_or_apt_is_not(bare, monkeypatch):
    folder, installs = bare
    chromium = fake_executable(folder, "chromium")
    monkeypatch.setattr(browser, "apt_prefix", lambda: [])
    monkeypatch.setattr(browser, "japanese_font_present", lambda: True)
    assert browser.require_browser() == chromium
    monkeypatch.setattr(browser, "japanese_font_present", lambda: False)
    monkeypatch.setattr(browser, "apt_prefix", lambda: None)
    assert browser.require_browser() == chromium
    assert installs == []


def test_japanese_font_check_uses_fc_list(bare):
    folder, _ = bare
    assert browser.japanese_font_present() is False  # no fc-list: treated as missing
    (folder / "fc-list").write_text('#!/bin/sh\n[ "$1" = ":lang=ja" ] && echo "/usr/share/fonts/ipag.ttf: IPAGothic"\n')
    (folder / "fc-list").chmod(0o755)
    assert browser.japanese_font_present() is True
    (folder / "fc-list").write_text("#!/bin/sh\nexit 0\n")
    assert browser.japanese_font_present() is False


def test_headless_flags_are_kept():
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"):
        assert flag in browser.FLAGS
