"""The DataFrame contracts every part of kaohe agrees on.

Readers in `flows/` produce these frames; `transforms/` and `schemes/` consume and produce
them. Each frame is a plain polars DataFrame; the dicts below name its columns and dtypes so
that tests and readers can check a frame with `conform(df, SCHEMA)`.

Row provenance: every input row keeps `source_file` (path relative to the workspace) and
`source_row` (the row number the user sees: for CSV the line number with the header on
line 1, for xlsx the sheet's row number), so that any error, review entry or ledger row can
name where it came from.
"""

from __future__ import annotations

import polars as pl

#: Roster (名单): one row per unit. `group` is the scheme's group name (乡镇（街道）, A …).
UNITS = {
    "unit": pl.String,
    "group": pl.String,
    "aliases": pl.List(pl.String),
    "emails": pl.List(pl.String),
}

#: The roster's optional columns of 机构改革 (transforms.roster_changes), which units.csv's
#: reader adds to UNITS: `from` and `until` (inclusive, null = open) say when the unit
#: exists, `successor` the unit that takes over its work. A roster without them (the
#: regulation's own) is one whose units always exist.
UNIT_CHANGES = {
    "from": pl.Date,
    "until": pl.Date,
    "successor": pl.String,
}

#: Adoption (录用/采用): one article printed in one issue of one periodical.
#: `adoption_id` is a stable hash of (publication, issue, date, normalised title, units_raw),
#: so importing the same issue twice yields the same ids and is deduplicated.
#: `publication` is already the scheme's canonical periodical name. `kind` is the article
#: class as written (动态, 简讯, 要情, 专报 …) or null for the periodical's default.
ADOPTIONS = {
    "adoption_id": pl.String,
    "publication": pl.String,
    "issue": pl.String,
    "date": pl.Date,
    "title": pl.String,
    "units_raw": pl.String,
    "kind": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
}

#: Submission (报送): one message a unit sent to the office. `time` is in the office's zone.
#: `unit_raw` is the unit named by the log's `unit` column (overrides the sender mapping).
#: `attachments` (optional) holds the message's attachment file names joined by `;` (null
#: for CSV logs). For mail, `source_row` is the message's index in its mbox (1 for an .eml).
SUBMISSIONS = {
    "submission_id": pl.String,
    "time": pl.Datetime("us", "Asia/Shanghai"),
    "sender": pl.String,
    "subject": pl.String,
    "unit_raw": pl.String,
    "kind": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
    "attachments": pl.String,
}

#: Event (事项): everything else the office records — leader instructions (领导批示),
#: commissions (约稿), penalties … `type` is a word of the scheme's vocabulary.
EVENTS = {
    "event_id": pl.String,
    "date": pl.Date,
    "type": pl.String,
    "unit_raw": pl.String,
    "title": pl.String,
    "level": pl.String,
    "value": pl.Float64,
    "status": pl.String,
    "note": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
}

#: Which units an adoption names, after matching. `position` is the 0-based place of the
#: unit in the printed field (first-named unit = 0); `n_units` how many units the field named.
ADOPTION_UNITS = {
    "adoption_id": pl.String,
    "unit": pl.String,
    "position": pl.Int64,
    "n_units": pl.Int64,
    "method": pl.String,  # exact | normalized | alias | fuzzy | decision
    "score": pl.Float64,
}

#: Article grouping (C1): adoptions of one article share `article_id`.
ARTICLES = {
    "adoption_id": pl.String,
    "article_id": pl.String,
}

#: The review list (待核实清单) and the user's answers (decisions.csv). `type` is the id of a
#: question type of transforms.review.QUESTION_TYPES (unit, same_article, date,
#: publication, article_source, submission, no_submission, mail): that registry holds each
#: type's Chinese label, the answers it accepts and whether it changes points.
#: `key` identifies the question so that an answer applies on the next run:
#:   unit         -> the printed name, normalised (see transforms.matching.normalize_name)
#:   same_article -> "<adoption_id>|<adoption_id>" (sorted)
#:   no_submission -> the adoption_id
#:   submission   -> the sender's address; mail -> "<file>#<message index>"
#: `unit`, `title`, `date` (as shown: the typed text or YYYY-MM-DD), `publication` (the
#: periodical and issue, 《…》第N期), `file` and `row` say what the question is about.
#: `answer` is empty in review.csv; review.csv is written in Chinese by
#: transforms.review.review_table.
REVIEW = {
    "type": pl.String,
    "key": pl.String,
    "file": pl.String,
    "row": pl.Int64,
    "unit": pl.String,
    "title": pl.String,
    "date": pl.String,
    "publication": pl.String,
    "text": pl.String,
    "candidates": pl.String,
    "reason": pl.String,
    "answer": pl.String,
}

DECISIONS = {
    "type": pl.String,
    "key": pl.String,
    "answer": pl.String,
}

#: The ledger (计分明细): every point a unit receives in a period is one row.
#: `period` is the label of the scoring period the row belongs to (2018Q2, 2018-05, 2018).
#: `rule_id` names the rule (e.g. `jiande-2018/J-3.1.1`), `clause` cites the regulation
#: (e.g. 「三（一）1」), `rule` is the rule's short Chinese name, `note` explains the row in
#: Chinese so the statement alone answers "why". `source` is adoption | event | submission |
#: quota | adjust; `ref` the id of the record it came from. `shared` marks rows of an article
#: written jointly by several units (联合供稿).
LEDGER = {
    "unit": pl.String,
    "period": pl.String,
    "date": pl.Date,
    "rule_id": pl.String,
    "clause": pl.String,
    "rule": pl.String,
    "points": pl.Float64,
    "note": pl.String,
    "source": pl.String,
    "ref": pl.String,
    "article_id": pl.String,
    "title": pl.String,
    "publication": pl.String,
    "issue": pl.String,
    "shared": pl.Boolean,
}

#: Scores (得分): one row per scored unit for the period. `points` is the unit's
#: information score (the sum of its ledger rows); `rank` is within its group, ties share
#: the better rank (1,2,2,4); `assessment` is the scheme's conversion of points into an
#: assessment score (建德's rank points) or null; `target` the points target for the period
#: (null where the scheme sets none). `submitted` counts submissions in the period, `adopted`
#: distinct articles adopted in the period. `remark` holds Chinese notes (e.g. 国务院领导批示).
SCORES = {
    "unit": pl.String,
    "group": pl.String,
    "points": pl.Float64,
    "rank": pl.Int64,
    "target": pl.Float64,
    "target_met": pl.Boolean,
    "assessment": pl.Float64,
    "submitted": pl.Int64,
    "adopted": pl.Int64,
    "remark": pl.String,
}


def empty(schema: dict) -> pl.DataFrame:
    """An empty frame with the given contract."""
    return pl.DataFrame(schema=schema)


def conform(df: pl.DataFrame, schema: dict) -> pl.DataFrame:
    """Select and cast `df` to `schema`, adding missing columns as nulls.

    Raises KeyError-free: a missing column becomes null; extra columns are dropped.
    """
    cols = []
    for name, dtype in schema.items():
        if name in df.columns:
            cols.append(pl.col(name).cast(dtype))
        else:
            cols.append(pl.lit(None, dtype=dtype).alias(name))
    return df.select(cols)


#: Commissions (约稿) of a period, as a scheme reports them: status is 按时, 逾期, 未报 or 未知
#: (未知: not recorded and no mail logs for the due month; not scored).
COMMISSIONS = {
    "unit": pl.String,
    "date": pl.Date,
    "title": pl.String,
    "status": pl.String,
    "points": pl.Float64,
}

#: The year to date: each quarter's scores (ScoreResult.quarters).
QUARTERS = {
    "unit": pl.String,
    "period": pl.String,
    "points": pl.Float64,
    "rank": pl.Int64,
    "assessment": pl.Float64,
    "target_met": pl.Boolean,
}

#: Public namings (通报批评 / 予以通报) a regulation orders (ScoreResult.notices): `period` is
#: the label of the quarter or month the notice falls in, `rule_id` as in the ledger
#: (`yinchuan-2018/Y-9.1.2`), `clause` the regulation's clause, `reason` a Chinese sentence.
NOTICES = {
    "unit": pl.String,
    "period": pl.String,
    "rule_id": pl.String,
    "clause": pl.String,
    "reason": pl.String,
}
