"""[run] task_runner = "dask" (issue 8 item 3): statements rendered in batches on prefect-dask's
DaskTaskRunner give the same outputs as the default runner (on every fourth unit of the 建德
example: two batches, on the two workers of a LocalCluster; scale is bench_province's)."""

from __future__ import annotations

import pytest
from examples_e2e import assert_same_outputs, copy_example, run

from flows.workspace import Workspace
from transforms.errors import InputError

PERIOD = "2018Q2"
#: every fourth unit of the example's roster: 14 units, statements in two batches
EVERY = 4
#: the Dask tests share one default-runner rendering of the small example (conftest's
#: rendered_example is per worker) and the cluster of test_dask_cluster
pytestmark = pytest.mark.xdist_group("dask")


def _with_run_section(ws, section: str):
    cfg = ws / "kaohe.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\n" + section, encoding="utf-8")
    return ws


def test_run_section_is_read_and_checked(tmp_path):
    ws = copy_example(tmp_path, "jiande-2018")
    assert Workspace.load(ws).task_runner == "default"
    assert Workspace.load(ws).dask_address is None
    _with_run_section(ws, '[run]\ntask_runner = "dask"\ndask_address = "tcp://10.0.0.5:8786"\n')
    loaded = Workspace.load(ws)
    assert (loaded.task_runner, loaded.dask_address) == ("dask", "tcp://10.0.0.5:8786")
    bad = copy_example(tmp_path / "bad", "jiande-2018")
    _with_run_section(bad, '[run]\ntask_runner = "ray"\n')
    with pytest.raises(InputError, match="task_runner"):
        Workspace.load(bad)


def test_dask_runner_gives_the_same_outputs(tmp_path, rendered_example):
    plain = rendered_example("jiande-2018", PERIOD, "2018-07-05", EVERY)
    dask = _with_run_section(
        copy_example(tmp_path / "dask", "jiande-2018", EVERY), '[run]\ntask_runner = "dask"\n'
    )
    res = run(dask, PERIOD, "--date", "2018-07-05")
    assert res.exit_code == 0, res.output
    assert "Dask" in res.output
    assert "在 Dask 上分批生成得分说明：2 批，每批至多 10 个单位" in res.output
    assert_same_outputs(plain / "out" / PERIOD / "v1", dask / "out" / PERIOD / "v1")
