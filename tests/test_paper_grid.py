"""Chapter 4's grid at the paper preset, pooled from slices: cells read, pooled by seeds, decided, checked on load."""

from __future__ import annotations

import json
import shutil

import pytest

from redshift_utils.book import paper_grid
from redshift_utils.book.parameters import load_spec

PARAMS = {"study_train_fractions": [0.7], "study_depths": [3], "study_seeds": 2}
RUN = {"notebook": "04_trained_models", "params": PARAMS, "commit": "abc1234", "date": "2026-12-01",
       "cpu_seconds": 100.0, "device": "cpu"}  # fmt: skip


def cell(width, seeds, tuned="inconclusive", relu="not reproduced", default=False, fraction=0.7):
    return {"experiment": "study_cell", "train_fraction": fraction, "width": width, "depth": 3, "default": default,
            "seeds": seeds, "moduli": [10, 7, 4], "tuned_weakest_test": [1.0, 0.99, 0.85], "tuned_solve": tuned,
            "relu_train": [1.0, 1.0, 0.98], "relu_test": [0.97, 0.9, 0.6], "relu_fit_share": [1.0, 1.0, 0.5],
            "relu_fits_but_fails": relu}  # fmt: skip


def write_slice(folder, records, params=None, notebook=None):
    """A slice's results file: its parameters as a run resolves them (the paper preset's, then the slice's)."""
    folder.mkdir()
    spec = load_spec("04_trained_models")
    params = {p.name: p.value_for("paper") for p in spec.params} | PARAMS | {"modulo_seeds": 4} | (params or {})
    document = {"notebook": "04_trained_models", "preset": "paper", "params": params, "records": records}
    (folder / "04_trained_models.json").write_text(json.dumps(document))
    if notebook is not None:
        (folder / "04_trained_models.ipynb").write_text(json.dumps(notebook))
    return folder


TABLE = (
    "fraction / width / depth  tuned test (weakest, per M)  tuned solve     ReLU train          ReLU test   "
    "        ReLU fit share      ReLU fits but fails  Gaussian best p (first, last M)\n"
    "0.7 / 64 / 3              0.92 / 0.96 / 0.77           inconclusive    1.00 / 1.00 / 1.00  0.96 / 0.85 / 0.69"
    "  1.00 / 1.00 / 1.00  reproduced           1.22 / 0.25\n"
    "0.5 / 32 / 3 *            0.98 / 0.94 / 0.62           not reproduced  1.00 / 1.00 / 0.97  0.96 / 0.84 / 0.55"
    "  1.00 / 1.00 / 0.50  inconclusive         0.90 / 0.25\n"
    "M: [10, 7, 4] | * the chapter's default setting\n"
)
NOTEBOOK = {"cells": [{"outputs": [{"output_type": "stream", "text": "something else"}]},
                      {"outputs": [{"output_type": "stream", "text": TABLE}]}]}  # fmt: skip


def test_a_printed_table_is_read_back_with_its_verdicts_and_flagged():
    cells = paper_grid.cells_from_printed_table(NOTEBOOK)
    first, default = cells
    assert (first["train_fraction"], first["width"], first["depth"], first["default"]) == (0.7, 64, 3, False)
    assert first["relu_test"] == [0.96, 0.85, 0.69] and first["relu_fits_but_fails"] == "reproduced"
    assert default["default"] and default["tuned_solve"] == "not reproduced" and default["moduli"] == [10, 7, 4]
    assert all(c["read_back"] for c in cells)
    with pytest.raises(ValueError, match="no printed table"):
        paper_grid.cells_from_printed_table({"cells": []})


def test_cells_pool_to_the_run_with_the_most_seeds_and_decide_the_region(tmp_path, monkeypatch):
    wide = {**RUN, "params": {**PARAMS, "study_widths": [64], "study_seeds": 10}}
    monkeypatch.setattr(paper_grid, "load_runs", lambda: [RUN, wide])
    old = write_slice(tmp_path / "old", [{"experiment": "modulo"}], notebook=NOTEBOOK)  # cells only in its table
    cells = [cell(64, 10, tuned="reproduced", relu="inconclusive"), cell(32, 4, default=True, fraction=0.5)]
    new = write_slice(tmp_path / "new", cells, params={"study_widths": [64], "study_seeds": 10})
    summary = paper_grid.summarise([old, new])
    by_label = {(paper_grid.cell_label(c), c["default"]): c for c in summary["cells"]}
    assert set(by_label) == {("0.7 / 64 / 3", False), ("0.5 / 32 / 3", True)}
    top = by_label["0.7 / 64 / 3", False]
    assert (top["seeds"], top["seeds_tried"], top["read_back"]) == (10, [2, 10], False)
    assert top["source"]["params"]["study_seeds"] == 10 and top["tuned_solve"] == "reproduced"
    region = summary["region"]
    assert region["modulo_tuned_solve_all"]["verdict"] == "partly"
    assert region["modulo_tuned_solve_all"]["holds_in"] == ["0.7 / 64 / 3"]
    assert region["modulo_relu_fits_but_fails"]["verdict"] == "inconclusive"  # holds nowhere, one cell undecided
    assert region["modulo_relu_fits_but_fails"]["counts"] == {"reproduced": 0, "not reproduced": 1, "inconclusive": 1}


def test_a_slice_without_its_run_record_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(paper_grid, "load_runs", lambda: [RUN])
    folder = write_slice(tmp_path / "s", [cell(64, 2)], params={"study_seeds": 3})
    with pytest.raises(ValueError, match="no slice of 04_trained_models"):
        paper_grid.summarise([folder])


def test_a_slice_matches_the_record_that_ran_its_whole_grid_not_a_narrower_or_wider_one(tmp_path):
    narrow = {**RUN, "params": {**PARAMS, "study_widths": [64]}, "commit": "def5678"}  # same seeds, one width
    every_width = write_slice(tmp_path / "all", [cell(64, 2), cell(128, 2)])
    one_width = write_slice(tmp_path / "one", [cell(64, 2)], params={"study_widths": [64]})
    assert paper_grid.slice_cells(every_width, [RUN, narrow])[1]["commit"] == "abc1234"
    assert paper_grid.slice_cells(one_width, [RUN, narrow])[1]["commit"] == "def5678"
    with pytest.raises(ValueError, match="no slice of 04_trained_models"):
        paper_grid.slice_cells(one_width, [RUN])  # the record of every width does not explain a width-64 slice


def test_load_refuses_a_missing_or_damaged_summary(tmp_path, monkeypatch):
    monkeypatch.setattr(paper_grid, "summary_path", lambda: tmp_path / "grid.json")
    with pytest.raises(ValueError, match="is missing"):
        paper_grid.load()
    monkeypatch.setattr(paper_grid, "load_runs", lambda: [RUN])
    summary = paper_grid.summarise([write_slice(tmp_path / "s", [cell(64, 2)])])
    (tmp_path / "grid.json").write_text(json.dumps(summary))
    assert paper_grid.load()["cells"][0]["width"] == 64
    broken = {**summary, "cells": [{**summary["cells"][0], "relu_test": [0.5]}]}
    (tmp_path / "grid.json").write_text(json.dumps(broken))
    with pytest.raises(ValueError, match="wrong length"):
        paper_grid.load()
    grid_verdict = {**summary, "cells": [{**summary["cells"][0], "tuned_solve": "partly"}]}  # the grid's, not a cell's
    (tmp_path / "grid.json").write_text(json.dumps(grid_verdict))
    with pytest.raises(ValueError, match="verdicts must be among"):
        paper_grid.load()
    (tmp_path / "grid.json").write_text(json.dumps({k: v for k, v in summary.items() if k != "region"}))
    with pytest.raises(ValueError, match=r"missing \['region'\]"):
        paper_grid.load()


def test_the_kept_grid_comes_from_recorded_slices():
    from redshift_utils.book.paper_runs import load_runs

    summary = paper_grid.load()
    recorded = [{k: r[k] for k in ("params", "commit", "date", "cpu_seconds", "device")} for r in load_runs()]
    assert all(source in recorded for source in summary["slices"])
    assert len(summary["cells"]) == len({(c["train_fraction"], c["width"], c["depth"], c["default"])
                                         for c in summary["cells"]})  # fmt: skip


def test_the_command_line_refuses_a_bad_folder_in_one_line(tmp_path, capsys):
    assert paper_grid.main([str(tmp_path / "absent")]) == 1
    assert capsys.readouterr().err.strip().count("\n") == 0
    assert paper_grid.main([]) == 2


def test_add_pools_a_new_slice_with_the_kept_cells_without_their_folders(tmp_path, monkeypatch):
    wide = {**RUN, "params": {**PARAMS, "study_widths": [64], "study_seeds": 10}}
    monkeypatch.setattr(paper_grid, "load_runs", lambda: [RUN, wide])
    monkeypatch.setattr(paper_grid, "summary_path", lambda: tmp_path / "grid.json")
    first = write_slice(tmp_path / "first", [cell(64, 2), cell(128, 2)])
    assert paper_grid.main([str(first)]) == 0
    shutil.rmtree(first)  # the first slice's folder is gone; its cells are kept
    later = write_slice(tmp_path / "later", [cell(64, 10, tuned="reproduced")],
                        params={"study_widths": [64], "study_seeds": 10})  # fmt: skip
    assert paper_grid.main(["--add", str(later)]) == 0
    summary = paper_grid.load()
    by_width = {c["width"]: c for c in summary["cells"]}
    assert (by_width[64]["seeds"], by_width[64]["seeds_tried"], by_width[128]["seeds"]) == (10, [2, 10], 2)
    assert len(summary["slices"]) == 2 and summary["region"]["modulo_tuned_solve_all"]["holds_in"] == ["0.7 / 64 / 3"]
    assert paper_grid.main(["--add", str(later)]) == 0  # adding a slice again changes nothing, history included
    assert paper_grid.load() == summary
