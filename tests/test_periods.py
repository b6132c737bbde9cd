from datetime import date

import pytest

from transforms.errors import InputError
from transforms.periods import Period, quarter_of


def test_parse_quarter_month_year():
    q = Period.parse("2018q2")
    assert (q.kind, q.label, q.title) == ("quarter", "2018Q2", "2018年第二季度")
    assert (q.start, q.end) == (date(2018, 4, 1), date(2018, 6, 30))
    m = Period.parse("2018-5")
    assert (m.label, m.title, m.end) == ("2018-05", "2018年5月", date(2018, 5, 31))
    y = Period.parse("2018")
    assert (y.label, y.title, len(y.quarters()), len(y.months())) == ("2018", "2018年度", 4, 12)


def test_quarters_to_date_and_month_quarter():
    assert [p.label for p in Period.parse("2018Q3").quarters_to_date()] == [
        "2018Q1",
        "2018Q2",
        "2018Q3",
    ]
    assert [p.label for p in Period.parse("2018-08").quarters()] == ["2018Q3"]
    assert quarter_of(date(2018, 12, 31)).label == "2018Q4"
    assert Period.parse("2016-02").end == date(2016, 2, 29)


@pytest.mark.parametrize("bad", ["2018Q5", "2018-13", "18Q1", "第二季度", ""])
def test_bad_period_is_a_clear_error(bad):
    with pytest.raises(InputError, match="考核期"):
        Period.parse(bad)
