"""Chapter parameters: precedence, validation messages, CLI parsing and errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from redshift_utils.parameters import ChapterSpec, Param, check_value, parse_cli_value, resolve_values
from redshift_utils.paths import REPO_ROOT

SPEC = ChapterSpec(
    notebook="99_demo",
    params=(
        Param("seed", "int", 0, "seed", minimum=0),
        Param("n_networks", "int", 32, "networks", presets={"smoke": 4, "paper": 1000}, minimum=1),
        Param("measure", "str", "fourier", "measure", choices=("fourier", "chebyshev", "lz")),
        Param("scale", "float", 1.0, "scale", minimum=0.0, maximum=10.0),
        Param("prefactors", "floats", [1.0, 2.0], "grid", presets={"smoke": [1.0]}, minimum=0.0),
        Param("activations", "strs", ["relu"], "acts", choices=("relu", "tanh")),
        Param("flag", "bool", False, "flag"),
    ),
)


def test_precedence_explicit_over_preset_over_default(monkeypatch):
    monkeypatch.delenv("REDSHIFT_PRESET", raising=False)
    assert resolve_values(SPEC, {})["n_networks"] == 32
    assert resolve_values(SPEC, {"preset": "smoke"})["n_networks"] == 4
    assert resolve_values(SPEC, {"preset": "smoke", "n_networks": 32})["n_networks"] == 32
    assert resolve_values(SPEC, {"preset": "smoke", "prefactors": None})["prefactors"] == [1.0]
    monkeypatch.setenv("REDSHIFT_PRESET", "paper")
    resolved = resolve_values(SPEC, {"preset": None})
    assert resolved["preset"] == "paper" and resolved["n_networks"] == 1000


def test_ints_are_accepted_as_floats_and_tuples_as_lists():
    resolved = resolve_values(SPEC, {"preset": "book", "scale": 2, "prefactors": (1, 3)})
    assert resolved["scale"] == 2.0 and isinstance(resolved["scale"], float)
    assert resolved["prefactors"] == [1.0, 3.0]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("n_networks", -3, "parameter 'n_networks' of notebook 99_demo must be an integer (>= 1), got -3"),
        ("n_networks", 2.5, "must be an integer"),
        ("n_networks", True, "must be an integer"),
        ("measure", "fourrier", "one of 'fourier', 'chebyshev', 'lz'"),
        ("scale", 11.0, "<= 10.0"),
        ("prefactors", [], "a non-empty list of numbers"),
        ("prefactors", [1.0, -1.0], "(>= 0.0)"),
        ("activations", ["relu", "gelu"], "a list of 'relu', 'tanh'"),
        ("flag", "yes", "True or False"),
    ],
)
def test_bad_values_name_the_parameter_and_the_allowed_values(name, value, message):
    with pytest.raises(ValueError, match=name) as error:
        resolve_values(SPEC, {"preset": "book", name: value})
    assert message in str(error.value)


def test_unknown_names_and_presets_are_rejected_with_suggestions():
    with pytest.raises(ValueError, match=r"unknown parameter 'n_netwroks'.*Did you mean 'n_networks'"):
        resolve_values(SPEC, {"n_netwroks": 3})
    with pytest.raises(ValueError, match=r"'preset'.*'smoke', 'book', 'paper'"):
        resolve_values(SPEC, {"preset": "fast"})


def test_cli_values_are_parsed_by_kind():
    assert parse_cli_value(SPEC.param("n_networks"), "12") == 12
    assert parse_cli_value(SPEC.param("scale"), "3") == 3.0
    assert parse_cli_value(SPEC.param("prefactors"), "[1, 2.5]") == [1.0, 2.5]
    assert parse_cli_value(SPEC.param("prefactors"), "1,2") == [1.0, 2.0]
    assert parse_cli_value(SPEC.param("activations"), "relu,tanh") == ["relu", "tanh"]
    assert parse_cli_value(SPEC.param("flag"), "true") is True
    assert parse_cli_value(SPEC.param("n_networks"), "None") is None
    assert check_value("99_demo", SPEC.param("n_networks"), 5) == 5


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "redshift_utils", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )


def test_cli_rejects_bad_parameters_before_starting_a_kernel():
    result = run_cli("run", "notebooks/01_metrics.md", "-p", "n_netwroks", "3")
    assert result.returncode == 2
    assert "unknown parameter 'n_netwroks'" in result.stderr and "n_networks" in result.stderr
    result = run_cli("run", "01_metrics", "-p", "seed", "-1")
    assert result.returncode == 2 and "parameter 'seed'" in result.stderr
    result = run_cli("run", "01_metrics", "--preset", "huge")
    assert result.returncode == 2 and "smoke" in result.stderr
    result = run_cli("run", "notebooks/99_nothing.md")
    assert result.returncode == 2 and "01_metrics" in result.stderr


def test_cli_lists_parameters():
    result = run_cli("params", "notebooks/01_metrics.md")
    assert result.returncode == 0
    assert "seed" in result.stdout and "smoke=" in result.stdout and "Allowed" in result.stdout
