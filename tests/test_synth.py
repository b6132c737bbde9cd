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


def _truth_and_kaohe(root):
    from flows.synth import read_truth

    ws = Workspace.load(root)
    matched = steps.match_and_group(steps.ingest(ws), ws.scheme)
    truth_ad, truth_sub = read_truth(root)
    return ws, matched, truth_ad, truth_sub


def _compare(ws, matched, truth_ad, truth_sub):
    from flows.synth import judge

    q = judge((truth_ad, truth_sub), matched, ws.scheme.place_prefixes)
    return {r["measure"]: r for r in q.counts.to_dicts()}, q.cases


def test_truth_is_written_beside_the_inputs_and_fits_them(tmp_path):
    import csv

    root = tmp_path / "w"
    write_workspace(root, SynthSpec("jiande-2018", 30, 2018, seed=5))
    truth = root / "synth-truth"
    assert sorted(p.name for p in truth.iterdir()) == ["adoptions.csv", "submissions.csv"]
    # kaohe never reads it: it is no input of a run.
    assert not any("synth-truth" in str(p) for p in Workspace.load(root).input_files())
    units = {r["unit"]: r for r in csv.DictReader((root / "units.csv").open(encoding="utf-8"))}

    def rows(name):
        return list(csv.DictReader((root / name).open(encoding="utf-8")))

    sheets = {}
    for t in rows("synth-truth/adoptions.csv"):
        sheet = sheets.setdefault(t["file"], rows(t["file"]))
        printed = sheet[int(t["row"]) - 2]
        true_units = t["units"].split(";")
        assert all(u in units for u in true_units)
        # The printed names are the true units', as periodicals print them; a joint
        # article names both.
        assert len(printed["units"].split("、")) == len(true_units)
        mail = sheets.setdefault(t["submission_file"], rows(t["submission_file"]))
        sent = mail[int(t["submission_row"]) - 2]
        assert sent["sender"].endswith("@126.com") or sent["sender"] in units[true_units[0]][
            "emails"
        ].split(";")
        assert sent["time"][:10] <= printed["date"]
    for t in rows("synth-truth/submissions.csv")[:2000]:
        sent = sheets.setdefault(t["file"], rows(t["file"]))[int(t["row"]) - 2]
        assert t["unit"] in units
        assert sent["sender"].endswith("@126.com") or sent["sender"] in units[t["unit"]][
            "emails"
        ].split(";")
    # The adoptions of one article share one submission.
    by_article = {}
    for t in rows("synth-truth/adoptions.csv"):
        by_article.setdefault(t["article"], set()).add((t["submission_file"], t["submission_row"]))
    assert all(len(s) == 1 for s in by_article.values())
    assert any(
        len([1 for t in rows("synth-truth/adoptions.csv") if t["article"] == a]) > 1
        for a in list(by_article)[:200]
    )


def test_the_comparison_counts_a_planted_error(tmp_path):
    import polars as pl

    root = tmp_path / "w"
    write_workspace(root, SynthSpec("jiande-2018", 30, 2018, seed=5))
    ws, matched, truth_ad, truth_sub = _truth_and_kaohe(root)
    before, _ = _compare(ws, matched, truth_ad, truth_sub)
    assert before["names"]["truth"] == before["names"]["decided"] > 0
    assert before["names"]["wrong"] == before["names"]["missed"] == 0
    assert before["senders"]["wrong"] == 0
    assert before["links"]["wrong"] == 0

    # Plant one wrong name, one wrong link, one missed link, one false merge and one split.
    ad = matched.inputs.adoptions
    au = matched.inputs.adoption_units
    first = au["adoption_id"][0]
    other = next(u for u in matched.inputs.units["unit"] if u != au["unit"][0])
    au = au.with_columns(
        unit=pl.when(pl.col("adoption_id") == first).then(pl.lit(other)).otherwise("unit")
    )
    links = matched.links
    linked = links["adoption_id"].to_list()
    wrong_sub = next(
        s for s in matched.inputs.submissions["submission_id"] if s != links["submission_id"][0]
    )
    links = links.with_columns(
        submission_id=pl.when(pl.col("adoption_id") == linked[0])
        .then(pl.lit(wrong_sub))
        .otherwise("submission_id")
    ).filter(pl.col("adoption_id") != linked[1])
    # A false merge: two adoptions of different articles put in one; a split: an adoption
    # of an article of several adoptions put alone.
    art = dict(zip(ad["adoption_id"], ad["article_id"], strict=True))
    sizes = ad.group_by("article_id").len()
    single = sizes.filter(pl.col("len") == 1)["article_id"].to_list()
    multi = sizes.filter(pl.col("len") == 3)["article_id"].to_list()
    lone = next(a for a in ad["adoption_id"] if art[a] == multi[0] and a != multi[0])
    ad2 = ad.with_columns(
        article_id=pl.when(pl.col("article_id") == single[1])
        .then(pl.lit(single[0]))
        .when(pl.col("adoption_id") == lone)
        .then(pl.lit(lone))
        .otherwise("article_id")
    )
    from flows.steps import Matched

    planted = Matched(
        inputs=type(matched.inputs)(
            units=matched.inputs.units,
            adoptions=ad2,
            adoption_units=au,
            events=matched.inputs.events,
            submissions=matched.inputs.submissions,
        ),
        review=matched.review,
        links=links,
    )
    after, cases = _compare(ws, planted, truth_ad, truth_sub)
    assert after["names"]["wrong"] == 1
    assert after["names"]["missed"] == 1  # the true unit of the planted row
    assert after["links"]["wrong"] == before["links"]["wrong"] + 1
    assert after["links"]["missed"] == before["links"]["missed"] + 2  # moved and dropped
    assert after["articles"]["wrong"] == before["articles"]["wrong"] + 1
    assert after["articles"]["missed"] == before["articles"]["missed"] + 2
    row = ad.filter(pl.col("adoption_id") == first).row(0, named=True)
    named = cases.filter((pl.col("measure") == "names") & (pl.col("outcome") == "wrong"))
    assert named.select("file", "row", "kaohe").row(0) == (
        row["source_file"],
        row["source_row"],
        other,
    )


def test_the_hard_profile_is_another_workspace_with_its_truth(tmp_path):
    base, hard = tmp_path / "base", tmp_path / "hard"
    write_workspace(base, SynthSpec("xiaoshan-2018", 60, 2018, seed=1))
    write_workspace(hard, SynthSpec("xiaoshan-2018", 60, 2018, seed=1, profile="hard"))
    assert _digest(base) != _digest(hard)
    units = (hard / "units.csv").read_text(encoding="utf-8")
    assert units.count("\n") == 61
    # The office's own departments (区商务局 beside the counties'), units under a county
    # department, towns named as a county.
    assert "萧山区发展和改革局" in units and "交通警察大队" in units
    ws, matched, truth_ad, truth_sub = _truth_and_kaohe(hard)
    counts, _ = _compare(ws, matched, truth_ad, truth_sub)
    assert counts["names"]["truth"] > counts["names"]["decided"]  # some are asked or missed
    assert counts["names"]["review"] > 0
    with pytest.raises(InputError, match="噪声类型"):
        write_workspace(tmp_path / "x", SynthSpec("xiaoshan-2018", 5, 2018, profile="soft"))
