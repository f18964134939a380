"""Chapter parameters: precedence, validation messages, bounds, cross-parameter rules, CLI parsing and errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from redshift_utils.book.parameters import (
    LIST_KINDS,
    MAX_VALUES,
    ChapterSpec,
    Param,
    all_notebooks,
    check_value,
    load_spec,
    parse_cli_value,
    resolve_parameters,
    resolve_values,
)
from redshift_utils.book.paths import PRESETS, REPO_ROOT

STEMS = all_notebooks()

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
        Param("depths", "ints", [1, 2], "depths", minimum=1, maximum=8, max_length=3),
        Param("kinds", "strs", ["relu"], "kinds", choices=("relu", "tanh"), max_length=2),
    ),
    rules=(lambda v: None if v["seed"] <= v["n_networks"] else f"seed ({v['seed']}) must be <= n_networks",),
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


def test_cli_refuses_huge_malformed_and_clashing_values_before_starting_a_kernel():
    result = run_cli("run", "02_activations", "-p", "line_networks", "1000000000")
    assert result.returncode == 2
    assert "parameter 'line_networks'" in result.stderr and "(>= 2 and <= 10000)" in result.stderr
    result = run_cli("run", "02_activations", "-p", "heatmap_depths", "1,,3")
    assert result.returncode == 2 and "parameter 'heatmap_depths' got an empty item" in result.stderr
    result = run_cli("run", "02_activations", "-p", "line_networks", "0x10")
    assert result.returncode == 2 and "'line_networks' expects a plain decimal integer" in result.stderr
    result = run_cli("run", "02_activations", "-p", "heatmap_min", "60", "--preset", "smoke")
    assert result.returncode == 2 and "heatmap_min (60.0) must be smaller than heatmap_max (50.0)" in result.stderr


def test_cli_lists_parameters():
    result = run_cli("params", "notebooks/01_metrics.md")
    assert result.returncode == 0
    assert "seed" in result.stdout and "smoke=" in result.stdout and "Allowed" in result.stdout


# --- bounds: every parameter of every chapter is bounded, and every preset value is allowed


@pytest.mark.parametrize("stem", STEMS)
def test_every_parameter_is_bounded(stem):
    for param in load_spec(stem).params:
        where = f"{stem}.{param.name}"
        if param.kind in ("int", "float", "ints", "floats"):
            assert param.minimum is not None and param.maximum is not None, f"{where} needs a minimum and a maximum"
        if param.kind in ("str", "strs"):
            assert param.choices is not None, f"{where} needs choices"
        if param.kind in LIST_KINDS:
            assert param.max_length is not None and param.max_length >= 1, f"{where} needs a max_length"
        else:
            assert param.max_length is None, f"{where}: max_length is for lists"


@pytest.mark.parametrize("stem", STEMS)
def test_every_preset_value_of_every_spec_is_valid(stem):
    spec = load_spec(stem)
    for param in spec.params:
        for value in (param.default, *param.presets.values()):
            check_value(stem, param, value)
        if param.kind in LIST_KINDS:
            assert len(param.default) <= param.max_length
    for preset in PRESETS:  # together too: every rule holds at every preset
        resolved = resolve_values(spec, {"preset": preset})
        assert resolved["preset"] == preset


@pytest.mark.parametrize("stem", STEMS)
def test_size_rules_leave_room_at_the_paper_preset(stem):
    spec = load_spec(stem)
    resolved = resolve_values(spec, {"preset": "paper"})
    for rule in spec.rules:
        if hasattr(rule, "size"):
            assert rule.size(resolved) <= rule.limit / 4, f"{stem}: {rule.__name__} is close to its limit at paper"


@pytest.mark.parametrize(
    ("stem", "name", "value", "allowed"),
    [
        ("02_activations", "line_networks", 1_000_000_000, "an integer (>= 2 and <= 10000)"),
        ("02_activations", "heatmap_networks", 10001, "<= 10000"),
        ("02_activations", "heatmap_max", 1e6, "a number (>= 0.001 and <= 1000.0)"),
        ("02_activations", "gallery_prefactors", [1.0, 2e4], "<= 1000.0"),
        ("01_metrics", "n_networks", 10**7, "<= 10000"),
        ("01_metrics", "seed", 2**32, "<= 4294967295"),
        ("03_components", "study_networks", 10**6, "<= 10000"),
        ("04_trained_models", "guess_draws", 10**9, "<= 4000000"),
        ("04_trained_models", "guess_width", 10**5, "<= 512"),
        ("04_trained_models", "modulo_steps", 10**8, "<= 50000"),
        ("05_transformers", "n_models", 10**6, "<= 10000"),
        ("05_transformers", "heads", 128, "<= 64"),
    ],
)
def test_out_of_range_values_are_refused_naming_the_bounds(stem, name, value, allowed):
    with pytest.raises(ValueError) as error:
        resolve_values(load_spec(stem), {"preset": "book", name: value})
    message = str(error.value)
    assert f"parameter {name!r} of notebook {stem} must be" in message and allowed in message


def test_list_length_is_limited_and_shown():
    depths = SPEC.param("depths")
    assert depths.describe_allowed() == "a non-empty list of at most 3 integers (>= 1 and <= 8)"
    assert SPEC.param("kinds").describe_allowed() == "a list of at most 2 of 'relu', 'tanh'"
    assert check_value("99_demo", depths, [1, 2, 3]) == [1, 2, 3]
    with pytest.raises(ValueError, match=r"'depths' .*at most 3 integers.*got \[1, 2, 3, 4\] \(4 items\)"):
        check_value("99_demo", depths, [1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"'kinds' .*at most 2 of") as error:
        check_value("99_demo", SPEC.param("kinds"), ["relu"] * 1_000_000)
    assert len(str(error.value)) < 500, "a huge refused list must not be printed whole"
    assert "(1000000 items)" in str(error.value)
    with pytest.raises(ValueError, match="'fig6_depths' of notebook 01_metrics must be .*at most 16 integers"):
        resolve_values(load_spec("01_metrics"), {"preset": "book", "fig6_depths": list(range(1, 17)) * 2})


# --- cross-parameter rules: in the spec, checked by resolve_values (CLI and notebook alike)


@pytest.mark.parametrize(
    ("stem", "values", "message"),
    [
        (
            "01_metrics",
            {"fig6_activations": ["relu"], "fig6_depths": [1], "fig6_prefactors": [1.0]},
            "fig6_activations x fig6_depths x fig6_prefactors give 2 architectures",
        ),
        (
            "01_metrics",
            {"resolution_activations": ["relu"], "resolution_prefactors": [1.0]},
            "resolution_activations x resolution_prefactors give 2 architectures",
        ),
        (
            "01_metrics",
            {"resolution_ns": [64, 64]},
            "parameter 'resolution_ns' needs at least two distinct grid sizes, got [64, 64]",
        ),
        ("01_metrics", {"grid_n": 512, "n_networks": 10000}, "n_networks x grid_n^2 = 2,621,440,000 numbers"),
        ("01_metrics", {"grid_n": 512, "examples_per_architecture": 64}, "examples_per_architecture x grid_n^2"),
        (
            "01_metrics",
            {"resolution_ns": [64, 512], "resolution_networks": 10000},
            "resolution_networks x max(resolution_ns)^2",
        ),
        (
            "02_activations",
            {"heatmap_min": 50.0, "heatmap_max": 50.0},
            "heatmap_min (50.0) must be smaller than heatmap_max (50.0)",
        ),
        (
            "02_activations",
            {"heatmap_depths": [3, 3]},
            "parameter 'heatmap_depths' needs at least two distinct depths, got [3, 3]",
        ),
        ("02_activations", {"grid_n": 512, "heatmap_networks": 5000}, "heatmap_networks x grid_n^2"),
        (
            "02_activations",
            {"grid_n": 512, "heatmap_steps": 100, "heatmap_depths": list(range(1, 17))},
            "heatmap_steps x grid_n^2",
        ),
        ("02_activations", {"grid_n": 256, "line_networks": 10000}, "line_networks x grid_n^2"),
        (
            "02_activations",
            {"grid_n": 256, "line_networks": 2000},
            "2 x len(gallery_prefactors) x max(gallery_draws, line_networks)",
        ),
        ("03_components", {"depths": [2, 2]}, "parameter 'depths' needs at least two distinct values, got [2, 2]"),
        ("03_components", {"widths": [64]}, "parameter 'widths' needs at least two distinct values"),
        ("03_components", {"ln_gains": [1.0, 1.0]}, "parameter 'ln_gains' needs at least two distinct values"),
        ("03_components", {"bias_scales": [0.5]}, "parameter 'bias_scales' needs at least two distinct values"),
        ("03_components", {"grid_n": 512, "width_networks": 9000}, "width_networks x grid_n^2"),
        (
            "04_trained_models",
            {"modulo_train_fraction": 0.7, "modulo_val_fraction": 0.3},
            "must leave at least 5% of the points for testing",
        ),
        (
            "04_trained_models",
            {"prefactor_min": 2.0, "prefactor_max": 1.0},
            "prefactor_max (1.0) must be >= prefactor_min (2.0)",
        ),
        (
            "04_trained_models",
            {"guess_draws": 1000, "guess_accept": 2000},
            "guess_accept (2000) must be <= guess_draws (1000)",
        ),
        (
            "04_trained_models",
            {"grid_n": 8, "e3_train_points": 65, "e3_coverage_points": [16]},
            "e3_coverage_points (65) must be <= grid_n^2 = 64",
        ),
        (
            "04_trained_models",
            {"grid_n": 16, "e3_coverage_points": [64, 300]},
            "e3_coverage_points (300) must be <= grid_n^2 = 256",
        ),
        ("04_trained_models", {"study_train_fractions": [0.5, 0.7], "modulo_val_fraction": 0.3}, "0.7 + 0.3 = 1"),
        ("04_trained_models", {"modulo_levels": 64, "modulo_dims": 4}, "the modulo batch"),
        (
            "04_trained_models",
            {"shortcut_seeds": 100, "prefactor_steps": 64, "shortcut_width": 1024},
            "the shortcut batch",
        ),
        ("04_trained_models", {"guess_width": 512, "guess_depth": 8}, "one chunk of guess-and-check models"),
        (
            "04_trained_models",
            {"guess_draws": 4000000, "guess_accept": 10000, "guess_grid_n": 128},
            "the kept guess-and-check functions",
        ),
        (
            "04_trained_models",
            {"e3_seeds": 100, "e3_width": 1024, "grid_n": 256},
            "the high-complexity-initialisation batch",
        ),
        ("05_transformers", {"length": 200, "context": 128}, "parameter 'context' must be >= length=200, got 128"),
        (
            "05_transformers",
            {"ablation_activations": ["gelu", "sigmoid"]},
            "parameter 'ablation_activations' must be a subset of activations=",
        ),
        (
            "05_transformers",
            {"gain_min": 0.5, "gain_max": 2.0, "gains_per_decade": 1},
            "give only 1 gains [1.0]; need at least 3",
        ),
        ("05_transformers", {"width": 64, "heads": 3}, "parameter 'heads' must divide width=64, got 3"),
        ("05_transformers", {"depths": [48], "width": 2048}, "max(depths) x 12 x width^2"),
    ],
)
def test_cross_parameter_rules_are_refused_by_resolve_values(stem, values, message):
    spec = load_spec(stem)
    with pytest.raises(ValueError) as error:
        resolve_values(spec, {"preset": "book", **values})
    text = str(error.value)
    assert text.startswith(f"parameters of notebook {stem} do not fit together: ")
    assert message in text


def test_size_rule_messages_give_the_values_and_the_limit():
    with pytest.raises(ValueError) as error:
        resolve_values(load_spec("02_activations"), {"preset": "book", "grid_n": 512, "line_networks": 10000})
    text = str(error.value)
    assert "line_networks=10000, grid_n=512" in text and f"{MAX_VALUES:,}" in text


def test_rules_run_after_every_value_is_resolved():
    assert resolve_values(SPEC, {"preset": "smoke", "seed": 4})["seed"] == 4
    with pytest.raises(ValueError, match="99_demo do not fit together: seed \\(5\\) must be <= n_networks"):
        resolve_values(SPEC, {"preset": "smoke", "seed": 5})  # smoke's n_networks is 4
    with pytest.raises(ValueError, match="parameter 'seed'"):  # a bad value is reported before any rule
        resolve_values(SPEC, {"preset": "smoke", "seed": -1})


def test_the_notebooks_validation_cell_refuses_bad_combinations(capsys):
    namespace = {"heatmap_min": 60.0, "heatmap_max": 50.0}
    with pytest.raises(ValueError, match=r"heatmap_min \(60.0\) must be smaller than heatmap_max \(50.0\)"):
        resolve_parameters("02_activations", namespace)


@pytest.mark.parametrize("stem", STEMS)
def test_notebooks_leave_combination_checks_to_the_spec(stem):
    text = (REPO_ROOT / "notebooks" / f"{stem}.md").read_text()
    start = text.index(f'ru.resolve_parameters("{stem}", globals())')
    next_cell = text.index("```{code-cell}", start)
    head = text[start : text.index("\n```\n", next_cell)]  # the validation cell and the cell after it
    assert "raise ValueError" not in head, f"{stem}: a parameter check after the validation cell belongs in the spec"


# --- CLI parsing


@pytest.mark.parametrize(
    ("name", "text", "form"),
    [
        ("prefactors", "1,,3", "empty item"),
        ("prefactors", "1,2,", "empty item"),
        ("prefactors", ",1", "empty item"),
        ("depths", "[1, , 2]", "empty item"),
        ("n_networks", "0x10", "a plain decimal integer"),
        ("n_networks", "0o17", "a plain decimal integer"),
        ("n_networks", "0b11", "a plain decimal integer"),
        ("n_networks", "1_000_000_000", "a plain decimal integer"),
        ("n_networks", "1e3", "a plain decimal integer"),
        ("n_networks", "12.0", "a plain decimal integer"),
        ("n_networks", "twelve", "a plain decimal integer"),
        ("scale", "0x10", "a decimal number"),
        ("scale", "1_000.5", "a decimal number"),
        ("scale", "inf", "a decimal number"),
        ("scale", "nan", "a decimal number"),
        ("scale", "1e400", "a decimal number"),
        ("depths", "1,0x2", "list of plain decimal integers"),
        ("prefactors", "1,1_0", "list of decimal numbers"),
        ("flag", "yes", "True or False"),
    ],
)
def test_cli_refuses_malformed_values_naming_the_parameter_and_the_form(name, text, form):
    with pytest.raises(ValueError) as error:
        parse_cli_value(SPEC.param(name), text)
    message = str(error.value)
    assert f"parameter {name!r}" in message and form in message and repr(text) in message


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("n_networks", "12", 12),
        ("n_networks", " -3 ", -3),
        ("n_networks", "+7", 7),
        ("scale", "1e-3", 0.001),
        ("scale", "2.5E2", 250.0),
        ("scale", ".5", 0.5),
        ("scale", "3.", 3.0),
        ("scale", "-4", -4.0),
        ("prefactors", "[1e-3, 2]", [0.001, 2.0]),
        ("depths", " 1 , 2 ", [1, 2]),
        ("activations", "['relu', \"tanh\"]", ["relu", "tanh"]),
        ("flag", "False", False),
        ("prefactors", "[]", []),
    ],
)
def test_cli_accepts_plain_decimals_and_lists(name, text, value):
    parsed = parse_cli_value(SPEC.param(name), text)
    assert parsed == value and type(parsed) is type(value)
    if isinstance(value, list) and value:
        assert all(type(a) is type(b) for a, b in zip(parsed, value, strict=True))


def test_cli_preset_none_means_the_active_preset(monkeypatch):
    preset = SPEC.param("preset")
    assert parse_cli_value(preset, "None") is None and parse_cli_value(preset, "none") is None
    assert parse_cli_value(preset, "smoke") == "smoke"
    assert preset.describe_allowed() == "one of 'smoke', 'book', 'paper'"
    monkeypatch.setenv("REDSHIFT_PRESET", "smoke")
    assert resolve_values(SPEC, {"preset": parse_cli_value(preset, "None")})["preset"] == "smoke"


def test_every_allowed_activation_has_a_display_name_and_a_colour():
    """A chapter labels and colours each activation it runs: one that a preset or a user may choose
    but the figures do not know fails late, in a figure cell, after the long computation (chapter 6
    at `paper` with its 'sigmoid' did, after 40 minutes)."""
    from redshift_utils import paper
    from redshift_utils.book.parameters import load_spec
    from redshift_utils.book.runner import all_notebooks
    from redshift_utils.plotting import ACTIVATION_COLORS

    for stem in all_notebooks():
        for param in load_spec(stem).params:
            if "activation" in param.name and param.choices:
                for name in param.choices:
                    assert name in paper.DISPLAY_NAMES, (stem, param.name, name)
                    assert name in ACTIVATION_COLORS, (stem, param.name, name)
