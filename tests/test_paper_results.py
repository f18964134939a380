"""Paper results kept in the book: a whole paper run's claims and best readings, summarised, checked on load."""

from __future__ import annotations

import json

import pytest

from redshift_utils.book import paper_results

RUN = {"notebook": "03b_figure5_search", "params": {}, "wall_seconds": 10.0, "device": "cuda"}


def record(component, activation, depth, form, mean, worst, excess, magnitude="prefactor"):
    return {"component": component, "activation": activation, "depth": depth, "width": 16, "grid_n": 32,
            "magnitude": magnitude, "form": form, "mean_distance": mean, "worst_distance": worst,
            "excess": excess, "fits": excess <= 0.03, "points": 3}  # fmt: skip


def results(**changes):
    document = {
        "notebook": "03b_figure5_search", "preset": "paper", "params": {"preset": "paper"},
        "library": {"version": "0", "source_hash": "x"}, "dtype": "float32", "device": "cuda",
        "claims": [{"id": "fig5_fit_mlp", "verdict": "partly", "measured": "m", "margin": -0.1, "kind": "check",
                    "rule": "r", "claim": "c"}],
        "records": [
            record("mlp", "tanh", 1, "plain", 0.02, 0.05, 0.04),
            record("mlp", "tanh", 3, "plain", 0.01, 0.02, 0.0),  # the smallest worst distance wins
            record("mlp", "tanh", 2, "plain", 0.005, 0.02 + 1e-9, 0.0),  # a tie in worst: the mean decides
            record("residual", "sin", 1, "(z + φ(z))/√2", 0.01, 0.01, 0.0),
            record("residual", "sin", 1, "z + φ(z)", 0.01, 0.01, 0.0),  # an exact tie: the default form first
        ],
    }  # fmt: skip
    return {**document, **changes}


def test_the_best_reading_of_each_line_follows_the_chapters_rule():
    summary = paper_results.summarise(results(), RUN)
    best = {(r["component"], r["activation"]): r for r in summary["lines"]}
    assert (best["mlp", "tanh"]["depth"], best["mlp", "tanh"]["readings"]) == (2, 3)
    assert best["residual", "sin"]["form"] == "z + φ(z)"
    assert summary["claims"] == [{"id": "fig5_fit_mlp", "verdict": "partly", "measured": "m", "margin": -0.1,
                                  "kind": "check"}]  # fmt: skip
    assert summary["run"] == RUN and summary["device"] == "cuda"


@pytest.mark.parametrize(
    ("document", "run", "message"),
    [
        (results(notebook="02_activations"), RUN, "paper results are kept for 03b_figure5_search"),
        (results(preset="book"), RUN, "must come from the paper preset"),
        (results(), {**RUN, "params": {"search_grids": [32]}}, "whole paper run"),
    ],
)
def test_anything_but_a_whole_paper_run_is_refused(document, run, message):
    with pytest.raises(ValueError, match=message):
        paper_results.summarise(document, run)


def test_load_refuses_a_missing_or_damaged_summary(tmp_path, monkeypatch):
    monkeypatch.setattr(paper_results, "results_path", lambda notebook: tmp_path / f"{notebook}.json")
    with pytest.raises(ValueError, match="is missing: run the chapter at --preset paper --record"):
        paper_results.load("03b_figure5_search")
    summary = paper_results.summarise(results(), RUN)
    (tmp_path / "03b_figure5_search.json").write_text(json.dumps({**summary, "claims": [{"id": "x"}]}))
    with pytest.raises(ValueError, match="every claim needs exactly"):
        paper_results.load("03b_figure5_search")
    del summary["lines"]
    (tmp_path / "03b_figure5_search.json").write_text(json.dumps(summary))
    with pytest.raises(ValueError, match=r"missing \['lines'\]"):
        paper_results.load("03b_figure5_search")


def test_the_kept_summary_is_a_whole_recorded_run():
    from redshift_utils.book.paper_runs import load_runs

    summary = paper_results.load("03b_figure5_search")
    assert summary["run"] in [r for r in load_runs() if r["notebook"] == "03b_figure5_search" and not r["params"]]
    assert {c["id"] for c in summary["claims"]} >= {"fig5_fit_mlp", "fig5_fit_all", "fig5_levels_saturating"}
    assert len(summary["lines"]) == len({(r["component"], r["activation"]) for r in summary["lines"]}) == 28


def test_the_command_line_refuses_a_bad_file_in_one_line(tmp_path, capsys):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(results(preset="smoke")))
    assert paper_results.main([str(path)]) == 1
    assert capsys.readouterr().err.strip().count("\n") == 0
    assert paper_results.main([]) == 2
