"""Quality of kaohe's own decisions against a synthetic workspace's truth (issue 16).

`kaohe synth` writes the truth beside the inputs (flows.synth, `synth-truth/`): the roster
units behind every adoption's printed names, the article and the submission behind every
adoption, the unit behind every message. `compare` sets kaohe's answers beside it, for four
kinds of decision:

- names — (adoption, unit): the roster units kaohe read from an adoption's printed names;
- senders — (message, unit): the unit kaohe gave each message of the mail logs;
- links — (adoption, submission): the message kaohe found an adoption was submitted in;
- articles — pairs of adoptions kaohe made one article (C1), against the pairs of
  adoptions of one true article.

For each: `truth` (true answers), `decided` (answers kaohe gave by itself, not from
decisions.csv), `wrong` (given but false: the goal is none), `missed` (true, neither given
nor asked; a wrong answer given in place of a true one counts as both), `review` (true,
not given, asked in review.csv instead: about this decision, or about the adoption's printed
names, without which kaohe cannot link or group it) and `asked` (the questions of the
kind). `cases` lists every wrong and missed answer with where it is, for reading.

Pure: polars frames in, frames out.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms import matching

MEASURES = ("names", "senders", "links", "articles")

COUNTS = {
    "measure": pl.String,
    "truth": pl.Int64,
    "decided": pl.Int64,
    "wrong": pl.Int64,
    "missed": pl.Int64,
    "review": pl.Int64,
    "asked": pl.Int64,
}

CASES = {
    "measure": pl.String,
    "outcome": pl.String,  # wrong | missed
    "file": pl.String,
    "row": pl.Int64,
    "text": pl.String,  # what was printed or sent
    "truth": pl.String,
    "kaohe": pl.String,
}


@dataclass
class Quality:
    counts: pl.DataFrame  # COUNTS, one row per measure of MEASURES
    cases: pl.DataFrame  # CASES


def _where(frame: pl.DataFrame, id_col: str) -> pl.DataFrame:
    return frame.select(id_col, file="source_file", row="source_row")


def _count(
    measure: str, truth: int, decided: int, wrong: int, missed: int, review: int, asked: int
):
    return {
        "measure": measure,
        "truth": truth,
        "decided": decided,
        "wrong": wrong,
        "missed": missed,
        "review": review,
        "asked": asked,
    }


def _cases(measure: str, wrong: pl.DataFrame, missed: pl.DataFrame, **cols) -> pl.DataFrame:
    """CASES rows of one measure: every row of `wrong` and of `missed`, their columns file,
    row, text, truth, kaohe as `cols` names them (each a column name or an expression; one
    given as (for wrong, for missed) differs between the two)."""

    def pick(k: int) -> dict:
        return {c: (v[k] if isinstance(v, tuple) else v) for c, v in cols.items()}

    return pl.concat(
        [
            wrong.select(measure=pl.lit(measure), outcome=pl.lit("wrong"), **pick(0)),
            missed.select(measure=pl.lit(measure), outcome=pl.lit("missed"), **pick(1)),
        ]
    )


def _tally(
    measure: str,
    n_true: int,
    decided: int,
    wrong: pl.DataFrame,
    lost: pl.DataFrame,
    asked: int,
    **cols,
) -> tuple[dict, pl.DataFrame]:
    """Counts and cases of a measure of single answers: `wrong` the answers given but false,
    `lost` the true answers not given, its boolean column in_review true where review.csv
    asks about them (the others are missed); `cols` as in `_cases`."""
    missed = lost.filter(~pl.col("in_review"))
    review = lost.height - missed.height
    counts = _count(measure, n_true, decided, wrong.height, missed.height, review, asked)
    return counts, _cases(measure, wrong, missed, **cols)


def _names(truth_ad, adoptions, adoption_units, review, places):
    """(adoption, unit) pairs: kaohe's rows of ADOPTION_UNITS against the true units."""
    ids = _where(adoptions, "adoption_id").join(
        adoptions.select("adoption_id", "units_raw"), on="adoption_id"
    )
    true = (
        truth_ad.select("file", "row", unit=pl.col("units").str.split(";"))
        .explode("unit")
        .join(ids, on=["file", "row"], how="left")
    )
    given = adoption_units.filter(pl.col("method") != "decision").select("adoption_id", "unit")
    asked_keys = set(review.filter(pl.col("type") == "unit")["key"].to_list())
    # An adoption is asked about when one of its printed names is a unit question.
    fields = ids.select("units_raw").unique()["units_raw"].drop_nulls().to_list()
    asked_fields = {
        f
        for f in fields
        if any(matching.normalize_name(n, places) in asked_keys for n in matching.split_units(f))
    }
    hit = true.join(given.with_columns(ok=pl.lit(True)), on=["adoption_id", "unit"], how="left")
    lost = hit.filter(pl.col("ok").is_null())
    in_review = lost["units_raw"].is_in(list(asked_fields))
    wrong = given.join(true.select("adoption_id", "unit"), on=["adoption_id", "unit"], how="anti")
    wrong = wrong.join(ids, on="adoption_id", how="left").join(
        true.group_by("adoption_id").agg(true_units=pl.col("unit").str.join("；")),
        on="adoption_id",
        how="left",
    )
    asked = adoptions.filter(pl.col("units_raw").is_in(list(asked_fields))).height
    given_of = given.group_by("adoption_id").agg(kaohe=pl.col("unit").str.join("；"))
    counts, cases = _tally(
        "names",
        true.height,
        given.height,
        wrong,
        lost.with_columns(in_review=in_review).join(given_of, on="adoption_id", how="left"),
        asked,
        file="file",
        row="row",
        text="units_raw",
        truth=("true_units", "unit"),
        kaohe=("unit", "kaohe"),
    )
    asked_ids = set(ids.filter(pl.col("units_raw").is_in(list(asked_fields)))["adoption_id"])
    return counts, cases, asked_ids


def _senders(truth_sub, submissions, review):
    """(message, unit): the unit kaohe gave each message."""
    both = truth_sub.select("file", "row", true_unit="unit").join(
        submissions.select(
            file="source_file",
            row="source_row",
            unit="unit",
            decided=pl.col("unit_decided")
            if "unit_decided" in submissions.columns
            else pl.lit(False),
            sender="sender",
            subject="subject",
        ),
        on=["file", "row"],
        how="left",
    )
    asked_keys = set(review.filter(pl.col("type") == "submission")["key"].to_list())
    mine = both.filter(pl.col("unit").is_not_null() & ~pl.col("decided").fill_null(False))
    wrong = mine.filter(pl.col("unit") != pl.col("true_unit"))
    lost = both.filter(pl.col("unit").is_null())
    emails = lost["sender"].map_elements(matching.extract_email, return_dtype=pl.String)
    in_review = emails.is_in(list(asked_keys)).fill_null(False)
    return _tally(
        "senders",
        both.height,
        mine.height,
        wrong,
        lost.with_columns(in_review=in_review),
        len(asked_keys),
        file="file",
        row="row",
        text="subject",
        truth="true_unit",
        kaohe="unit",
    )


def _links(truth_ad, adoptions, submissions, links, review, asked_ids):
    """(adoption, submission): the message each adoption was submitted in. An adoption
    whose printed names are asked about is asked about too (it has no unit to link by)."""
    sub_ids = submissions.select(
        "submission_id", submission_file="source_file", submission_row="source_row"
    )
    true = (
        truth_ad.filter(pl.col("submission_file").is_not_null())
        .join(_where(adoptions, "adoption_id"), on=["file", "row"], how="left")
        .join(sub_ids, on=["submission_file", "submission_row"], how="left")
        .select("adoption_id", "file", "row", true_sub="submission_id")
    )
    given = links.select("adoption_id", "submission_id")
    where = sub_ids.select(
        "submission_id",
        at=pl.format("{}:{}", "submission_file", "submission_row"),
    )
    wrong = (
        given.join(
            true.select("adoption_id", submission_id="true_sub"),
            on=["adoption_id", "submission_id"],
            how="anti",
        )
        .join(_where(adoptions, "adoption_id"), on="adoption_id", how="left")
        .join(true.select("adoption_id", "true_sub"), on="adoption_id", how="left")
    )
    lost = true.join(
        given.select("adoption_id", true_sub="submission_id"),
        on=["adoption_id", "true_sub"],
        how="anti",
    )
    asked_keys = review.filter(pl.col("type") == "no_submission")["key"]
    in_review = lost["adoption_id"].is_in(asked_keys.to_list() + list(asked_ids))
    titles = adoptions.select("adoption_id", "title")
    wrong = (
        wrong.join(where, on="submission_id", how="left")
        .join(
            where.rename({"submission_id": "true_sub", "at": "true_at"}), on="true_sub", how="left"
        )
        .join(titles, on="adoption_id", how="left")
    )
    lost = (
        lost.with_columns(in_review=in_review)
        .join(
            where.rename({"submission_id": "true_sub", "at": "true_at"}), on="true_sub", how="left"
        )
        .join(titles, on="adoption_id", how="left")
    )
    return _tally(
        "links",
        true.height,
        given.height,
        wrong,
        lost,
        asked_keys.len(),
        file="file",
        row="row",
        text="title",
        truth="true_at",
        kaohe=("at", pl.lit(None, dtype=pl.String)),
    )


def _pairs(col: pl.Expr) -> pl.Expr:
    return (col * (col - 1) // 2).sum()


def _articles(truth_ad, adoptions, review, asked_ids):
    """Pairs of adoptions of one article: kaohe's groups (article_id) against the truth.
    A true pair kept apart is asked about when review.csv asks whether the two are one
    article, or asks about the printed names of either (it has no unit to group by)."""
    both = truth_ad.select("file", "row", "article").join(
        adoptions.select(
            "adoption_id", "article_id", "title", file="source_file", row="source_row"
        ),
        on=["file", "row"],
        how="inner",
    )
    cell = both.group_by("article", "article_id").len()
    kept = cell.select(_pairs(pl.col("len"))).item()
    true_pairs = both.group_by("article").len().select(_pairs(pl.col("len"))).item()
    given_pairs = both.group_by("article_id").len().select(_pairs(pl.col("len"))).item()
    # Questions: pairs kaohe kept apart and asked about (key 「id|id」).
    keys = review.filter(pl.col("type") == "same_article")["key"]
    article_of = dict(zip(both["adoption_id"].to_list(), both["article"].to_list(), strict=True))
    asked_true = 0
    for key in keys.to_list():
        a, _, b = key.partition("|")
        if a in asked_ids or b in asked_ids:
            continue  # counted below
        if a in article_of and article_of.get(a) == article_of.get(b):
            asked_true += 1
    # True pairs kept apart with an adoption whose names are asked about.
    clear = both.filter(~pl.col("adoption_id").is_in(list(asked_ids)))
    apart = true_pairs - kept
    apart_clear = (
        clear.group_by("article").len().select(_pairs(pl.col("len"))).item()
        - clear.group_by("article", "article_id").len().select(_pairs(pl.col("len"))).item()
    )
    asked_true += apart - apart_clear
    wrong = given_pairs - kept
    counts = _count(
        "articles",
        true_pairs,
        given_pairs,
        wrong,
        true_pairs - kept - asked_true,
        asked_true,
        keys.len(),
    )
    # Cases: kaohe's articles that hold adoptions of several true articles (wrong), true
    # articles spread over several of kaohe's (missed), one row per adoption.
    mixed = (
        both.group_by("article_id")
        .agg(pl.col("article").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
    )
    split = (
        clear.group_by("article")
        .agg(pl.col("article_id").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
    )
    cases = _cases(
        "articles",
        both.join(mixed, on="article_id", how="semi").sort("article_id", "article"),
        clear.join(split, on="article", how="semi").sort("article", "article_id"),
        file="file",
        row="row",
        text="title",
        truth=pl.col("article").cast(pl.String),
        kaohe="article_id",
    )
    return counts, cases


def compare(
    truth_adoptions: pl.DataFrame,
    truth_submissions: pl.DataFrame,
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    submissions: pl.DataFrame,
    links: pl.DataFrame | None,
    review: pl.DataFrame,
    places: tuple[str, ...] = (),
) -> Quality:
    """kaohe's answers (a `flows.steps.Matched`'s frames: adoptions with article_id,
    adoption_units, submissions with unit, links, review) against the truth
    (`flows.synth.read_truth`). `places`: the scheme's place prefixes (for the keys of
    unit questions)."""
    if links is None:
        links = pl.DataFrame(schema={"adoption_id": pl.String, "submission_id": pl.String})
    *names, asked_ids = _names(truth_adoptions, adoptions, adoption_units, review, places)
    parts = [
        names,
        _senders(truth_submissions, submissions, review),
        _links(truth_adoptions, adoptions, submissions, links, review, asked_ids),
        _articles(truth_adoptions, adoptions, review, asked_ids),
    ]
    counts = pl.DataFrame([c for c, _ in parts], schema=COUNTS)
    cases = pl.concat([pl.DataFrame(c).select(list(CASES)).cast(CASES) for _, c in parts])
    return Quality(counts, cases)
