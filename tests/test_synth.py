"""`kaohe synth`: synthetic workspaces of any size, repeatable with a seed."""

from __future__ import annotations

import hashlib

import pytest

from flows import steps
from flows.synth import SynthSpec, write_workspace
from flows.workspace import Workspace
from schemes import SCHEMES
from transforms.errors import InputError
from transforms.periods import Period


def _digest(root):
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_workspace(a, SynthSpec("jiande-2018", 30, 2018, seed=3))
    write_workspace(b, SynthSpec("jiande-2018", 30, 2018, seed=3))
    write_workspace(c, SynthSpec("jiande-2018", 30, 2018, seed=4))
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_sizes_follow_the_number_of_units(tmp_path):
    # 40 units: 200 submissions and about 20 adoptions per unit and year.
    counts = write_workspace(tmp_path / "w", SynthSpec("yinchuan-2018", 40, 2019, seed=1))
    assert counts.units == 40
    assert counts.submissions == 40 * 200
    assert 40 * 20 * 0.9 <= counts.adoptions <= 40 * 20 * 1.1
    assert counts.events > 0


def test_refuses_an_existing_workspace(tmp_path):
    write_workspace(tmp_path / "w", SynthSpec("qingshan-2020", 5, 2020))
    with pytest.raises(InputError, match="已经是 kaohe 工作区"):
        write_workspace(tmp_path / "w", SynthSpec("qingshan-2020", 5, 2020))


@pytest.mark.parametrize("scheme_id", sorted(SCHEMES))
def test_every_scheme_reads_matches_and_scores(tmp_path, scheme_id):
    # Every printed name (abbreviations, writers, 供稿) resolves without review, every
    # adoption has a unit, and the year scores every scored unit.
    write_workspace(tmp_path / "w", SynthSpec(scheme_id, 25, 2018, seed=2))
    ws = Workspace.load(tmp_path / "w")
    matched = steps.match_and_group(steps.ingest(ws), ws.scheme)
    assert "unit" not in matched.review["type"].to_list()
    assert "submission" not in matched.review["type"].to_list()
    ad = matched.inputs.adoption_units
    assert ad["adoption_id"].n_unique() == matched.inputs.adoptions.height
    # Edited retitles are grouped with their first adoption: fewer articles than adoptions.
    assert matched.inputs.adoptions["article_id"].n_unique() < matched.inputs.adoptions.height
    result = steps.score(matched, ws.scheme, Period.parse("2018"))
    assert result.scores.height >= 20
    assert result.ledger.height > 0
