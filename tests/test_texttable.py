"""transforms.texttable: plain-text tables whose Chinese text lines up in a terminal
(`kaohe scheme show`)."""

from __future__ import annotations

from transforms.texttable import cell, pad, table, width


def test_wide_characters_count_two_columns():
    assert width("建德政务·动态") == 13  # six wide characters and a middle dot
    assert width("A类") == 3 and width("（一）") == 6 and width("") == 0
    assert pad("要情", 6) == "要情  " and pad("3", 4, right=True) == "   3"


def test_cells_print_numbers_without_a_needless_point():
    assert [cell(v) for v in (4.0, 0.5, -10.0, None, True, ("要情", "专报"))] == [
        "4",
        "0.5",
        "-10",
        "",
        "是",
        "要情、专报",
    ]


def test_columns_line_up_and_numbers_align_right():
    text = table(
        ["刊物", "类别", "分值"],
        [("建德政务·动态", "要情", 3.0), ("浙江政务信息", "简讯", 0.5), ("x", None, 10)],
    )
    lines = text.splitlines()
    assert lines[0].startswith("刊物") and set(lines[1]) <= {"-", " "}
    # every row's third column ends at the same screen column
    ends = {width(line) for line in lines[2:]}
    assert len(ends) == 1, lines
    assert [width(line[: line.index(" ")]) for line in lines[2:]] == [13, 12, 1]
    assert lines[4].endswith("10") and lines[3].endswith("0.5")
