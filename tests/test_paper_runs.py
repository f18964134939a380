"""Measured paper runs and slices (``redshift_utils/book/paper_runs.py``, ``costs.overridden``)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from redshift_utils.book import cli, costs, paper_runs, runner


def test_a_slice_counts_its_own_units_and_leaves_the_preset_alone():
    whole = costs.chapter6_units("paper")
    seeds = costs.preset_values("06_beyond", "paper")["volume_seeds"]
    with costs.overridden("06_beyond", {"volume_seeds": 1}):
        part = costs.chapter6_units("paper")
    assert part["volume"] * seeds == whole["volume"]
    assert part["boolean"] == whole["boolean"] and costs.chapter6_units("paper") == whole
    typo = costs.overridden("06_beyond", {"volume_sedes": 1})
    with pytest.raises(ValueError, match="no parameter volume_sedes"), typo:
        pass


def test_setting_seconds_prices_a_slice_and_refuses_unmeasured_units():
    ones = {key: 1.0 for key in costs.unit_keys()}
    whole = costs.setting_seconds("06_beyond", "paper", {}, ones)
    assert whole == costs.chapter_seconds(ones)["06_beyond", "paper"]
    assert 0 < costs.setting_seconds("06_beyond", "paper", {"volume_seeds": 1}, ones) < whole
    with pytest.raises(ValueError, match="needs units no preset measures"):
        costs.setting_seconds("03_components", "paper", {"widths": [48]}, ones)


def record(**changes) -> dict:
    run = {"notebook": "06_beyond", "preset": "paper", "params": {"volume_seeds": 1}, "wall_seconds": 100.0,
           "cpu_seconds": 150.0, "estimated_cpu_seconds": 100.0, "paper_estimate_cpu_seconds": 1000.0,
           "machine": "test", "device": "cpu", "commit": "abc", "date": "2026-11-30", "note": "a slice"}  # fmt: skip
    return {**run, **changes}


def write_runs(folder: Path, runs: list[dict]) -> None:
    (folder / "book").mkdir(exist_ok=True)
    (folder / "book" / "paper_runs.json").write_text(json.dumps({"runs": runs}))


def test_the_repository_record_is_complete():
    runs = paper_runs.load_runs()
    assert runs and all(r["cpu_seconds"] > 0 for r in runs)


def test_whole_runs_are_measured_and_slices_extrapolated():
    assert paper_runs.paper_cpu_seconds(record()) == pytest.approx(1500.0)  # 1000 x 150 / 100
    assert paper_runs.paper_cpu_seconds(record(params={})) == 150.0


@pytest.mark.parametrize(("changes", "message"), [
    ({"notebook": "07_nowhere"}, "unknown notebook '07_nowhere'"),
    ({"commit": None}, "needs 'commit'"),
    ({"params": None}, "needs 'params'"),
    ({"preset": "book"}, "preset 'paper'"),
    ({"estimated_cpu_seconds": 0}, "positive estimates"),
    ({"device": "tpu"}, "device must be one of cpu, cuda"),
])  # fmt: skip
def test_a_damaged_record_is_an_error(tmp_path, monkeypatch, changes, message):
    monkeypatch.setattr(paper_runs, "REPO_ROOT", tmp_path)
    write_runs(tmp_path, [record(**changes)])
    with pytest.raises(ValueError, match=message):
        paper_runs.load_runs()


def test_record_run_measures_from_an_empty_cache_and_appends(tmp_path, monkeypatch):
    monkeypatch.setattr(paper_runs, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(paper_runs, "BUILD_DIR", tmp_path / "_build")
    write_runs(tmp_path, [record()])
    seen = {}

    def fake_run(stem, explicit, out_dir, source=None):
        cache = Path(os.environ["REDSHIFT_CACHE_DIR"])
        seen.update(stem=stem, explicit=explicit, cache=cache, empty=not any(cache.iterdir()))
        end = time.process_time() + 0.05
        while time.process_time() < end:  # some CPU time to measure
            pass
        return tmp_path / f"{stem}.json"

    monkeypatch.setattr(runner, "run_notebook", fake_run)
    monkeypatch.setattr(costs, "paper_mlp_cost", lambda: (1.0, 1.0))
    monkeypatch.setattr(costs, "paper_block_cost", lambda: (1.0, 1.0))
    monkeypatch.setattr(costs, "unit_costs", lambda mlp, block: {key: 1e-3 for key in costs.unit_keys()})
    monkeypatch.delenv("REDSHIFT_CACHE_DIR", raising=False)
    run = paper_runs.record_run("06_beyond", {"preset": "paper", "volume_seeds": 1}, "test slice", None)
    assert seen["empty"] and not seen["cache"].exists() and "REDSHIFT_CACHE_DIR" not in os.environ
    assert run["params"] == {"volume_seeds": 1} and run["cpu_seconds"] >= 0.05 and run["wall_seconds"] >= 0.05
    assert 0 < run["estimated_cpu_seconds"] < run["paper_estimate_cpu_seconds"]
    assert paper_runs.load_runs()[-1] == run and len(paper_runs.load_runs()) == 2


@pytest.mark.parametrize(("args", "message"), [
    (["06_beyond", "--preset", "book", "--record", "x"], "--record measures the paper preset"),
    (["06_beyond", "--preset", "paper", "--record", " "], "needs a note"),
    (["06_beyond", "--preset", "paper", "-p", "volume_seeds", "0", "--record", "x"], "volume_seeds"),
])  # fmt: skip
def test_bad_record_requests_stop_before_running(monkeypatch, capsys, args, message):
    monkeypatch.setattr(runner, "run_notebook", lambda *a, **k: pytest.fail("ran"))
    assert cli.main(["run", *args]) == 2
    assert message in capsys.readouterr().err


def test_table_rows_and_hours_pool_a_chapters_slices():
    whole = record(notebook="05_transformers", params={}, cpu_seconds=3600.0)
    gpu = record(notebook="01_metrics", params={}, cpu_seconds=60.0, device="cuda")
    runs = [record(), record(cpu_seconds=300.0), whole, gpu]  # two slices of chapter 6: pooled
    rows = paper_runs.table_rows(runs)
    assert rows[0][1:3] == ["cpu", "slice: volume_seeds=1"] and rows[0][-1] == "0.42 (extrapolated)"
    assert rows[2][2] == "whole preset" and rows[2][-1] == "1.00"
    assert rows[3][:2] == ["01_metrics", "cuda"]
    estimates = {"06_beyond": 9e9, "05_transformers": 9e9, "01_metrics": 7200.0}
    recorded, total, chapters = paper_runs.paper_hours(runs, estimates)  # the GPU run is not a CPU measurement
    # chapter 6: 1000 x (150 + 300) / (100 + 100) = 2250 s; chapter 5 measured whole: 3600 s
    assert chapters == 2 and recorded == pytest.approx(2250 / 3600 + 1) and total == pytest.approx(recorded + 2)


def test_a_whole_run_beats_slices_and_slices_weigh_by_their_size():
    small = record(cpu_seconds=10.0, estimated_cpu_seconds=10.0)
    large = record(cpu_seconds=100.0, estimated_cpu_seconds=200.0)
    assert paper_runs.chapter_cpu_seconds([small, large]) == pytest.approx(1000 * 110 / 210)
    latest = record(cpu_seconds=5.0, paper_estimate_cpu_seconds=2000.0)  # the latest whole estimate is used
    assert paper_runs.chapter_cpu_seconds([large, latest]) == pytest.approx(2000 * 105 / 300)
    assert paper_runs.chapter_cpu_seconds([small, record(params={}, cpu_seconds=70.0), large]) == 70.0
