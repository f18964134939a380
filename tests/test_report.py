"""The reporting API: a claim stated once, its verdict rule and margin, numbers glued for the prose."""

from __future__ import annotations

import json
import math

import pytest

import redshift_utils as ru
from redshift_utils.book.results import CLAIM_FIELDS


@pytest.fixture(autouse=True)
def isolated_results(tmp_path, monkeypatch):
    monkeypatch.setenv("REDSHIFT_RESULTS_DIR", str(tmp_path))


@pytest.mark.parametrize(
    ("low", "high", "above", "verdict", "margin"),
    [
        (0.12, 0.20, True, "reproduced", 0.02),
        (0.01, 0.08, True, "not reproduced", 0.02),
        (0.08, 0.12, True, "inconclusive", -0.02),
        (0.01, 0.08, False, "reproduced", 0.02),
        (0.12, 0.20, False, "not reproduced", 0.02),
        (0.095, 0.2, False, "inconclusive", -0.005),
    ],
)
def test_interval_verdict_and_margin(low, high, above, verdict, margin):
    got, got_margin = ru.interval_verdict(low, high, 0.1, above=above)
    assert got == verdict and got_margin == pytest.approx(margin)


def test_interval_verdict_words_and_undefined_intervals():
    assert ru.interval_verdict(0.2, 0.3, 0.1, no="partly") == ("reproduced", pytest.approx(0.1))
    assert ru.interval_verdict(0.0, 0.05, 0.1, no="partly")[0] == "partly"
    verdict, margin = ru.interval_verdict(math.nan, 0.3, 0.1)
    assert verdict == "inconclusive" and math.isnan(margin)


def test_a_claim_is_stated_once_and_written_with_every_field(capsys):
    report = ru.Report("01_metrics", {"preset": "smoke", "seed": 0})
    verdict, margin = ru.interval_verdict(0.12, 0.2, 0.1)
    assert report.claim(
        "relu_low",
        statement="ReLU stays low",
        paper="Fig. 5: about 0.1",
        measured="0.15 [0.12, 0.20]",
        verdict=verdict,
        rule="lower end of the 95% interval > 0.1",
        section="#fig5",
        paper_claim=1,
        estimate=0.15,
        low=0.12,
        high=0.2,
        margin=margin,
    ) == "reproduced"
    with pytest.raises(ValueError, match="reported twice"):
        report.claim("relu_low", statement="", paper="", measured="", verdict="partly", rule="", section="")
    report.record(activation="relu", fourier=0.15)
    path = report.write()
    claim = json.loads(path.read_text())["claims"][0]
    assert set(claim) == set(CLAIM_FIELDS)
    assert claim["kind"] == "paper" and claim["paper_claim"] == 1 and claim["margin"] == pytest.approx(0.02)
    assert "1 claims" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"verdict": "maybe"}, "verdict must be one of"),
        ({"kind": "opinion"}, "kind must be one of"),
        ({"paper_claim": 99}, "numbered 1 to 15"),
    ],
)
def test_bad_claims_are_refused(fields, message):
    report = ru.Report("01_metrics", {"preset": "smoke"})
    base = {"statement": "s", "paper": "p", "measured": "m", "verdict": "partly", "rule": "r", "section": "#s"}
    with pytest.raises(ValueError, match=message):
        report.claim("c", **(base | fields))


def test_print_table_aligns_columns(capsys):
    ru.print_table(["name", "score", "interval"], [["relu", 0.1234, (0.1, 0.2)], ["sin", 1.0, (0.9, 1.1)]])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "score", "interval"]
    assert lines[1].split() == ["relu", "0.123", "[0.100,", "0.200]"]
    assert lines[0].index("score") == lines[1].index("0.123") == lines[2].index("1.000")


def test_the_papers_claims_are_numbered_without_gaps():
    numbers = [c.number for c in ru.paper.CLAIMS]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) == 15
    assert set(ru.paper.FIG5_READ["mlp"]) >= set(ru.paper.ACTIVATIONS)
    for component, curves in ru.paper.FIG5_READ.items():
        assert component in ru.paper.COMPONENTS
        for name, points in curves.items():
            assert all(1 <= x <= ru.paper.FIG5_X_MAX[name] and 0 <= y <= 1.05 for x, y in points)


def test_figure_is_saved_next_to_the_results_file_and_listed(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.image
    import matplotlib.pyplot as plt

    report = ru.Report("01_metrics", {"preset": "smoke"})
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [1, 0])
    path = report.figure("complexity", fig)
    plt.close(fig)
    assert path == tmp_path / "01_metrics-complexity.png"
    image = matplotlib.image.imread(path)
    assert 120 <= image.shape[0] <= 160 and 170 <= image.shape[1] <= 210  # 100 dpi, cropped to the drawing
    assert image[0, 0, :3].min() == 1.0 and (image.shape[-1] == 3 or image[..., 3].min() == 1.0)  # opaque white
    results = report.write()
    document = json.loads(results.read_text())
    assert results.parent == path.parent
    assert document["figures"] == [{"key": "complexity", "file": "01_metrics-complexity.png"}]
    with pytest.raises(ValueError, match="figure key"):
        report.figure("../x", fig)
    fig, ax = plt.subplots(figsize=(2, 1.5))
    fig.suptitle("a title much wider than the two-inch figure it sits above, as in chapter 4")
    wide = matplotlib.image.imread(report.figure("wide", fig))
    plt.close(fig)
    assert wide.shape[1] > 300  # the whole title, as the notebook shows it (not clipped at 200 px)


def test_results_without_figures_have_no_figures_field():
    report = ru.Report("01_metrics", {"preset": "smoke"})
    assert "figures" not in json.loads(report.write().read_text())
