"""The scoring engine: every rule of DESIGN.md §4, every refusal, and properties over random input."""

import json
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.scoring import (
    PLACES,
    RULE_EXAMPLES,
    RULE_LABELS,
    InputError,
    Rule,
    RuleDefinitionError,
    ScoringError,
    describe_params,
    echo_number,
    format_number,
    input_fields,
    params_as_written,
    parse_number,
    score,
    validate_params,
)

D = Decimal

HEAD_OF_COMMITTEE = {"options": [
    {"label": "Chủ tịch", "points": 10},
    {"label": "Phó Chủ tịch", "fraction": "0.5"},
    {"label": "Không", "points": 0},
]}
MEETINGS = {"items": [
    {"label": "Dự họp của tỉnh", "points": 5},
    {"label": "Chủ trì họp riêng", "points": 5},
]}
MEETING_STEPS = {"steps": [
    {"min": 1, "points": 5}, {"min": 2, "points": 10}, {"min": 3, "points": 15}, {"min": 4, "points": 20},
]}
# DESIGN.md §4 "ratio steps": ≥ 90 % of files processed online → max, ≥ 70 % → ½ max, else 0 — top-down,
# in percentages, half the max as a fraction, the way a decision writes it.
ONLINE_FILES = {"steps": [{"min": "90 %", "fraction": 1}, {"min": "70%", "fraction": "0,5"}]}


def refusal(error_type, rule, params, max_points, inputs) -> ScoringError:
    with pytest.raises(error_type) as caught:
        score(rule, params, max_points, inputs)
    return caught.value


# ------------------------------------------------------------------------ DESIGN.md §4, row by row


def test_every_rule_has_a_vietnamese_label():
    assert set(RULE_LABELS) == set(Rule)
    assert RULE_LABELS[Rule.RATIO_TARGET] == "Tỷ lệ so với mục tiêu"
    assert RULE_LABELS[Rule.RATIO_STEPS] == "Tỷ lệ theo bậc"
    assert Rule("yes_no") is Rule.YES_NO and Rule.YES_NO == "yes_no"


@pytest.mark.parametrize(("answer", "points"), [
    (True, D(5)), (False, D(0)), ("Có", D(5)), ("co", D(5)), ("X", D(5)), ("1", D(5)),
    ("không", D(0)), ("KHONG", D(0)), ("no", D(0)), ("", D(0)), ("0", D(0)),
])
def test_a_portal_with_a_dx_section_gets_the_max_and_one_without_gets_nothing(answer, points):
    assert score(Rule.YES_NO, {}, 5, {"value": answer}) == points


def test_a_chairman_heading_the_committee_gets_the_max_a_vice_chairman_half_and_nobody_nothing():
    assert score("choice", HEAD_OF_COMMITTEE, 10, {"option": "Chủ tịch"}) == D(10)
    assert score("choice", HEAD_OF_COMMITTEE, 10, {"option": "Phó Chủ tịch"}) == D(5)
    assert score("choice", HEAD_OF_COMMITTEE, 10, {"option": "Không"}) == D(0)


def test_an_option_is_found_by_its_label_whatever_the_case_spacing_and_composition_or_by_its_index():
    decomposed = "phó chủ tịch".replace("ó", "o\u0301")
    assert score("choice", HEAD_OF_COMMITTEE, 10, {"option": f"  {decomposed.upper()} "}) == D(5)
    assert score("choice", HEAD_OF_COMMITTEE, 10, {"option": 1}) == D(5)
    assert score("choice", HEAD_OF_COMMITTEE, 10, {"option": "0"}) == D(10)


def test_a_checklist_adds_up_the_ticked_halves():
    assert score("checklist", MEETINGS, 10, {"ticked": []}) == D(0)
    assert score("checklist", MEETINGS, 10, {"ticked": ["Dự họp của tỉnh"]}) == D(5)
    assert score("checklist", MEETINGS, 10, {"ticked": ["Dự họp của tỉnh", 1]}) == D(10)


@pytest.mark.parametrize(("meetings", "points"), [(5, 20), (4, 20), (3, 15), (2, 10), (1, 5), (0, 0), ("3,5", 15)])
def test_meetings_are_scored_by_steps(meetings, points):
    assert score("steps", MEETING_STEPS, 20, {"value": meetings}) == D(points)


def test_steps_listed_top_down_score_as_the_same_steps_listed_bottom_up():
    top_down = {"steps": list(reversed(MEETING_STEPS["steps"]))}
    assert validate_params("steps", top_down, 20) == validate_params("steps", MEETING_STEPS, 20)
    for meetings in range(6):
        assert score("steps", top_down, 20, {"value": meetings}) == score("steps", MEETING_STEPS, 20, {"value": meetings})


def test_a_step_may_give_a_fraction_of_the_max():
    params = {"steps": [{"min": 4, "fraction": 1}, {"min": 2, "fraction": "0,5"}]}
    assert validate_params("steps", params, 15) == {"steps": [{"min": "2", "fraction": "0.5"}, {"min": "4", "fraction": "1"}]}
    assert [score("steps", params, 15, {"value": v}) for v in (1, 2, 3, 4)] == [D(0), D("7.5"), D("7.5"), D(15)]


@pytest.mark.parametrize(("a", "b", "points"), [
    (90, 100, 10), (1000, 1000, 10), ("8.999", "10.000", 5), ("899,9", 1000, 5), (7, 10, 5),
    ("69,99", 100, 0), (0, 37, 0), ("41,6", "59,4", 5),  # 70,03 %
])
def test_files_processed_online_are_scored_by_steps_on_their_ratio(a, b, points):
    assert score("ratio_steps", ONLINE_FILES, 10, {"a": a, "b": b}) == D(points)


def test_ratio_steps_are_read_top_down_or_bottom_up_in_percentages_or_fractions_alike():
    normalised = {"steps": [{"min": "0.7", "fraction": "0.5"}, {"min": "0.9", "fraction": "1"}]}
    assert validate_params("ratio_steps", ONLINE_FILES, 10) == normalised
    bottom_up = {"steps": [{"min": "0,7", "fraction": 0.5}, {"min": 0.9, "fraction": 1}]}
    assert validate_params("ratio_steps", bottom_up, 10) == normalised
    assert validate_params("ratio_steps", normalised, 10) == normalised
    in_points = {"steps": [{"min": "90%", "points": 40}, {"min": "70 %", "points": 20}, {"min": "0 %", "points": 5}]}
    assert validate_params("ratio_steps", in_points, 40)["steps"][0] == {"min": "0", "points": "5"}
    assert score("ratio_steps", in_points, 40, {"a": 1, "b": 3}) == D(5)
    assert validate_params("ratio_steps", {"steps": [{"min": "33,33 %", "points": 1}]}, 1)["steps"][0]["min"] == "0.3333"


def test_a_zero_denominator_in_ratio_steps_is_refused_or_counts_as_nothing_or_full_points():
    error = refusal(InputError, "ratio_steps", ONLINE_FILES, 10, {"a": 0, "b": 0})
    assert error.message == "Mẫu số (b) bằng 0 nên không tính được tỷ lệ: mẫu số phải lớn hơn 0."
    assert error.field == "b"
    from_zero = {"steps": [{"min": "0 %", "points": 2}, {"min": "90 %", "points": 10}]}
    assert score("ratio_steps", {**from_zero, "b_zero": "zero"}, 10, {"a": 0, "b": 0}) == D(0)  # 0 points, not step 1
    assert score("ratio_steps", {**from_zero, "b_zero": "full"}, 10, {"a": 0, "b": 0}) == D(10)
    assert score("ratio_steps", from_zero, 10, {"a": 0, "b": 4}) == D(2)


def test_a_point_per_directive_is_capped_at_the_max():
    assert score("count", {"per_item": 1}, 10, {"count": 9}) == D(9)
    assert score("count", {"per_item": "1"}, 10, {"count": "12"}) == D(10)
    assert score("count", {"per_item": "0,5"}, 10, {"count": "3,0"}) == D("1.5")


def test_four_of_ten_data_services_used_give_four_of_ten_points():
    assert score("ratio", {}, 10, {"a": 4, "b": 10}) == D(4)


def test_a_ratio_is_kept_to_four_decimals_rounded_half_up():
    assert score("ratio", {}, 10, {"a": 1, "b": 3}) == D("3.3333")
    assert score("ratio", {}, 1, {"a": 1, "b": 16}) == D("0.0625")
    assert score("ratio", {}, 1, {"a": 1, "b": 32}) == D("0.0313")  # 0.03125 rounds up, not to even
    assert score("ratio", {}, 10, {"a": 1, "b": 3}).as_tuple().exponent == -PLACES


def test_ten_percent_of_smes_in_smedx_gives_full_points_and_five_percent_half():
    target = {"target": "0.1"}
    assert score("ratio_target", target, 10, {"a": 12, "b": 100}) == D(10)
    assert score("ratio_target", target, 10, {"a": 10, "b": 100}) == D(10)
    assert score("ratio_target", target, 10, {"a": 5, "b": 100}) == D(5)


def test_a_budget_criterion_is_the_sum_of_its_children():
    # 5.12 = 5.12.1 … 5.12.6 = 5 + 0,6 + 0,6 + 0,6 + 0 + 0 = 6,8 of 15
    children = [5, "0,6", "0,6", D("0.6"), 0, "0"]
    assert score("sum", {}, 15, {"children": children}) == D("6.8")
    assert score("sum", {}, 0, {"children": []}) == D(0)


def test_an_appraiser_sets_the_points_of_a_manual_criterion():
    assert score("manual", {}, 10, {"points": "7,5"}) == D("7.5")
    assert score("manual", {}, 10, {"points": 10}) == D(10)


def test_a_collected_figure_is_never_scored():
    assert score("collected", {}, 0, {"value": "1.234 doanh nghiệp"}) == D(0)
    assert score("collected", None, "0", None) == D(0)
    assert score("collected", {}, 0, "anything") == D(0)


def test_a_ratio_whose_denominator_is_zero_can_count_as_nothing_or_as_full_points():
    assert score("ratio", {"b_zero": "zero"}, 10, {"a": 0, "b": 0}) == D(0)
    assert score("ratio", {"b_zero": "full"}, 10, {"a": 0, "b": 0}) == D(10)
    assert score("ratio_target", {"target": "0.2", "b_zero": "full"}, 10, {"a": 0, "b": 0}) == D(10)


# ----------------------------------------------------------------------------------- refusals


def test_it_refuses_a_ratio_whose_numerator_exceeds_the_denominator():
    error = refusal(InputError, "ratio", {}, 10, {"a": 12, "b": 10})
    assert error.message == "Tử số (a) = 12 lớn hơn mẫu số (b) = 10."
    assert error.field == "a"
    error = refusal(InputError, "ratio_target", {"target": 0.1}, 10, {"a": "0,5", "b": "0,25"})
    assert error.message == "Tử số (a) = 0,5 lớn hơn mẫu số (b) = 0,25."
    error = refusal(InputError, "ratio_steps", ONLINE_FILES, 10, {"a": "1.250,5", "b": "1.200"})
    assert (error.message, error.field) == ("Tử số (a) = 1.250,5 lớn hơn mẫu số (b) = 1.200.", "a")
    assert refusal(InputError, "ratio_steps", ONLINE_FILES, 10, {"a": 1, "b": "-2"}).field == "b"
    assert refusal(InputError, "ratio_steps", ONLINE_FILES, 10, {"value": "95"}).message == "Tử số (a): chưa nhập giá trị."


def test_it_refuses_a_ratio_whose_denominator_is_zero_unless_told_otherwise():
    for params in ({}, {"b_zero": "refuse"}):
        error = refusal(InputError, "ratio", params, 10, {"a": 0, "b": 0})
        assert error.message == "Mẫu số (b) bằng 0 nên không tính được tỷ lệ: mẫu số phải lớn hơn 0."
        assert error.field == "b"


@pytest.mark.parametrize("rule", ["ratio", "ratio_target", "ratio_steps"])
def test_with_a_zero_denominator_the_message_names_b_zero_not_a_above_b(rule):
    params = {"target": "0.1"} if rule == "ratio_target" else ONLINE_FILES if rule == "ratio_steps" else {}
    # b_zero refuse (the default): b = 0 is the reason, whatever a is.
    error = refusal(InputError, rule, params, 10, {"a": 3, "b": 0})
    assert (error.message, error.field) == ("Mẫu số (b) bằng 0 nên không tính được tỷ lệ: mẫu số phải lớn hơn 0.", "b")
    # b_zero full / zero: b = 0 is accepted, so a must be 0 too; the message says what b = 0 gives.
    error = refusal(InputError, rule, {**params, "b_zero": "full"}, 10, {"a": 3, "b": 0})
    assert (error.message, error.field) == (
        "Mẫu số (b) bằng 0 nên tử số (a) cũng phải bằng 0 (đang là 3); "
        "khi mẫu số bằng 0, chỉ tiêu này được điểm tối đa.", "a")
    error = refusal(InputError, rule, {**params, "b_zero": "zero"}, 10, {"a": "1.500", "b": "0"})
    assert error.message == (
        "Mẫu số (b) bằng 0 nên tử số (a) cũng phải bằng 0 (đang là 1.500); khi mẫu số bằng 0, chỉ tiêu này được 0 điểm.")
    assert score(rule, {**params, "b_zero": "full"}, 10, {"a": 0, "b": 0}) == 10


def test_it_refuses_an_unknown_way_of_handling_a_zero_denominator():
    with pytest.raises(RuleDefinitionError, match="b_zero") as caught:
        validate_params("ratio", {"b_zero": "skip"}, 10)
    assert "refuse" in caught.value.message and "“skip”" in caught.value.message


def test_it_refuses_a_negative_number():
    error = refusal(InputError, "ratio", {}, 10, {"a": 1, "b": "-2,5"})
    assert error.message == "Mẫu số (b): “-2,5” không được là số âm."
    assert error.field == "b"
    assert parse_number("-2,5", allow_negative=True) == D("-2.5")


def test_it_refuses_text_that_is_not_a_number():
    with pytest.raises(InputError) as caught:
        parse_number("abc")
    assert caught.value.message == "“abc” không phải là số."
    assert str(caught.value) == caught.value.message and caught.value.field is None
    error = refusal(InputError, "ratio", {}, 10, {"a": "abc", "b": 10})
    assert error.message == "Tử số (a): “abc” không phải là số."


@pytest.mark.parametrize("value", [None, "", "  ", "\u00a0"])
def test_it_refuses_a_missing_number(value):
    with pytest.raises(InputError) as caught:
        parse_number(value)
    assert caught.value.message == "Chưa nhập giá trị."
    with pytest.raises(InputError, match="^Mẫu số \\(b\\): chưa nhập giá trị\\.$"):
        parse_number(value, field="b")


@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-inf", D("NaN"), D("Infinity"), float("nan"),
                                   float("inf"), "1e3", "1,2,3", "1,234.5", "1.2.3", "--1", "+", ".", True])
def test_it_refuses_what_only_looks_like_a_number(value):
    with pytest.raises(InputError, match="không phải là số"):
        parse_number(value)


def test_it_refuses_a_number_too_large_to_be_a_score():
    with pytest.raises(InputError, match="quá lớn"):
        parse_number("1" * 16)
    assert parse_number("9" * 15) == D("9" * 15)


@pytest.mark.parametrize(("text", "number"), [
    ("41,6", D("41.6")), ("1.000", D(1000)), ("1.234", D(1234)), ("2.000,5", D("2000.5")), ("1.234,5", D("1234.5")),
    ("1.234.567", D(1234567)), ("-1.000", D(-1000)), ("+3", D(3)), (" 12\u00a0345,25 ", D("12345.25")),
    (" 1 000 ", D(1000)), ("1\u202f000\u202f000", D(1000000)), ("0,12340", D("0.1234")), (",5", D("0.5")),
    ("\u22121,5", D("-1.5")), ("1,234", D("1.234")), ("0012", D(12)),
    (7, D(7)), (0.1, D("0.1")), (41.6, D("41.6")), (D("2.50"), D("2.5")),
])
def test_it_reads_numbers_the_vietnamese_way(text, number):
    """"." groups thousands, "," is the decimal mark; a space (or no-break space) may group thousands
    too. Numbers that are already numbers (JSON, spreadsheet cells) are taken as they are."""
    parsed = parse_number(text, allow_negative=True)
    assert parsed == number
    assert "E" not in str(parsed)


@pytest.mark.parametrize(("text", "written"), [
    ("1.5", "1,5"), ("41.6", "41,6"), ("0.5", "0,5"), ("12.63", "12,63"), ("1.2345", "1,2345"),
    ("0.500", "0,500"), (".5", "0,5"), ("-2.5", "-2,5"), (" 41.6 ", "41,6"), ("1.00", "1,00"),
])
def test_a_dot_that_does_not_group_thousands_is_refused_with_how_to_write_the_number(text, written):
    with pytest.raises(InputError) as caught:
        parse_number(text, allow_negative=True)
    assert caught.value.message == (
        f"“{text.strip()}” không rõ nghĩa: viết số thập phân bằng dấu phẩy ({written}); "
        "dấu chấm chỉ dùng để tách hàng nghìn (1.000)."
    )
    with pytest.raises(InputError, match="^Tử số \\(a\\): “41.6” không rõ nghĩa"):
        score("ratio", {}, 10, {"a": "41.6", "b": 100})


@pytest.mark.parametrize("text", ["1.2.3", "1,234.5", "1.23.456", "12.345.67", "1.000 000", "1 5", "1 0000"])
def test_dots_and_spaces_that_do_not_group_by_three_are_refused(text):
    with pytest.raises(InputError, match="không phải là số"):
        parse_number(text)


def test_the_issue_examples_read_as_written():
    assert score("ratio", {}, 10, {"a": 850, "b": "1.000"}) == D("8.5")  # was refused as a > b
    assert score("count", {"per_item": "0.01"}, 100, {"count": "2.000"}) == 20  # was read as 2
    assert score("manual", {}, 10, {"points": "7,5"}) == D("7.5")


def test_params_are_json_so_their_text_numbers_keep_the_decimal_point():
    """Params are JSON, stored by the engine as text with a decimal point ("0.5"): read that way,
    with a decimal comma accepted too; thousands separators have no place there."""
    assert validate_params("choice", HEAD_OF_COMMITTEE, 10)["options"][1] == {"label": "Phó Chủ tịch", "fraction": "0.5"}
    assert validate_params("count", {"per_item": "0,25"}, 10) == {"per_item": "0.25"}
    assert validate_params("count", {"per_item": "1.234"}, 10) == {"per_item": "1.234"}
    with pytest.raises(RuleDefinitionError, match="không phải là số"):
        validate_params("count", {"per_item": "1.234.567"}, 10)
    # Text the engine never stores (trailing zeros) that reads as Vietnamese thousands: refused, not read as 1.
    for text in ("1.000", "12.500", "-2.000"):
        with pytest.raises(RuleDefinitionError) as caught:
            validate_params("steps", {"steps": [{"min": text, "points": 10}]}, 10)
        assert caught.value.message == (
            f"Bậc 1 (min): “{text}” không rõ nghĩa trong tham số JSON: viết số không có dấu tách hàng nghìn (1000); "
            "số thập phân viết 0.5 hoặc 0,5.")
    assert validate_params("steps", {"steps": [{"min": 1000, "points": 10}]}, 10)["steps"][0]["min"] == "1000"


def test_it_refuses_more_than_four_decimals():
    with pytest.raises(InputError) as caught:
        parse_number("1,23456", field="a")
    assert caught.value.message == "Tử số (a): “1,23456” có quá 4 chữ số thập phân."
    with pytest.raises(InputError, match="“1,5” có quá 0 chữ số|“1,5” phải là số nguyên"):
        parse_number("1,5", places=0)


def test_a_field_outside_the_rules_is_named_as_given():
    with pytest.raises(InputError) as caught:
        parse_number("x", field="Ngưỡng xếp loại Tốt")
    assert caught.value.message == "Ngưỡng xếp loại Tốt: “x” không phải là số."
    assert caught.value.field == "Ngưỡng xếp loại Tốt"


def test_it_refuses_manual_points_above_the_max():
    error = refusal(InputError, "manual", {}, 10, {"points": "10,5"})
    assert error.message == "Điểm chấm 10,5 vượt điểm tối đa 10."
    assert error.field == "points"


def test_it_refuses_a_sum_of_children_above_the_max_instead_of_clipping_it():
    error = refusal(InputError, "sum", {}, 15, {"children": [10, "5,5"]})
    assert error.message == "Tổng điểm các chỉ tiêu con (15,5) vượt điểm tối đa 15."
    error = refusal(InputError, "sum", {}, 15, {"children": [1, "-1"]})
    assert error.message == "Chỉ tiêu con thứ 2: “-1” không được là số âm."


def test_it_refuses_steps_whose_top_step_exceeds_the_max():
    params = {"steps": [{"min": 1, "points": 5}, {"min": 4, "points": 25}]}
    error = refusal(RuleDefinitionError, "steps", params, 20, {"value": 4})
    assert error.message == "Bậc 2 (từ 4) cho 25 điểm, vượt điểm tối đa 20."
    assert error.field == "steps"


def test_it_refuses_steps_whose_top_step_cannot_reach_the_max():
    params = {"steps": [{"min": 1, "points": 5}, {"min": "2,5", "points": "15,5"}]}
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("steps", params, 20)
    assert caught.value.message == (
        "Bậc cao nhất (từ 2,5) cho 15,5 điểm, chưa bằng điểm tối đa 20: không đơn vị nào đạt được điểm tối đa."
    )


@pytest.mark.parametrize(("steps", "message"), [
    ([(1, 5), (3, 10), (2, 10)], "Ngưỡng các bậc phải tăng dần: bậc 3 (từ 2) không lớn hơn bậc 2 (từ 3)."),
    ([(1, 5), (1, 10)], "Ngưỡng các bậc phải tăng dần: bậc 2 (từ 1) không lớn hơn bậc 1 (từ 1)."),
    ([(3, 10), (1, 5), (2, 8)],
     "Ngưỡng các bậc ghi từ bậc cao xuống phải giảm dần: bậc 3 (từ 2) không nhỏ hơn bậc 2 (từ 1)."),
    ([(1, 10), (2, 5), (3, 10)], "Điểm các bậc không được giảm: bậc 2 (từ 2) cho 5 điểm, ít hơn bậc 1 (10 điểm)."),
    ([(2, 5), (1, 10)], "Điểm các bậc không được giảm: bậc 1 (từ 2) cho 5 điểm, ít hơn bậc 2 (10 điểm)."),
])
def test_it_refuses_steps_out_of_order(steps, message):
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("steps", {"steps": [{"min": m, "points": p} for m, p in steps]}, 10)
    assert caught.value.message == message


@pytest.mark.parametrize(("steps", "message"), [
    ([{"min": 90, "points": 10}],
     "Bậc 1 (min): ngưỡng tỷ lệ phải từ 0 đến 1 hoặc ghi kèm dấu % (0,9 hoặc “90 %”); đang là 90."),
    ([{"min": "120 %", "points": 10}], "Bậc 1 (min): “120 %” phải là phần trăm từ 0 đến 100 %, tối đa 2 chữ số thập phân."),
    ([{"min": "70,555 %", "points": 10}], "Bậc 1 (min): “70,555 %” phải là phần trăm từ 0 đến 100 %"),
    ([{"min": "-5 %", "points": 10}], "Bậc 1 (min): “-5 %” phải là phần trăm"),
    ([{"min": "bảy mươi %", "points": 10}], "Bậc 1 (min): “bảy mươi %” phải là phần trăm"),
    ([{"min": "0,7", "points": 5}, {"min": "0,9", "points": 8}],
     "Bậc cao nhất (từ 90 %) cho 8 điểm, chưa bằng điểm tối đa 10: không đơn vị nào đạt được điểm tối đa."),
    ([{"min": "0,9", "points": 5}, {"min": "90 %", "points": 10}],
     "Ngưỡng các bậc phải tăng dần: bậc 2 (từ 90 %) không lớn hơn bậc 1 (từ 90 %)."),
    ([{"min": "90 %", "points": 10}, {"min": "95 %", "points": 5}],
     "Điểm các bậc không được giảm: bậc 2 (từ 95 %) cho 5 điểm, ít hơn bậc 1 (10 điểm)."),
    ([{"min": "70 %", "points": 12}], "Bậc 1 (từ 70 %) cho 12 điểm, vượt điểm tối đa 10."),
    ([{"min": "70 %", "fraction": "1,5"}], "Bậc 1 (từ 70 %): fraction phải từ 0 đến 1 (đang là 1,5);"),
    ([{"min": "70 %", "fraction": 1, "points": 10}],
     "Bậc 1 (từ 70 %) phải có đúng một trong hai: points (số điểm) hoặc fraction (phần của điểm tối đa)."),
    ([{"min": "70 %", "points": 10, "max": 1}], "Bậc thứ 1 không dùng “max”; dùng được: min, points, fraction."),
    ([{"points": 10}], "Bậc 1 (min): chưa nhập giá trị."),
    ([], "Tham số “steps” phải là một danh sách có ít nhất một bậc."),
])
def test_it_refuses_badly_defined_ratio_steps(steps, message):
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("ratio_steps", {"steps": steps}, 10)
    assert caught.value.message.startswith(message)
    assert caught.value.field == "steps"


def test_ratio_steps_take_the_zero_denominator_handling_of_ratios_and_nothing_else():
    with pytest.raises(RuleDefinitionError, match="b_zero"):
        validate_params("ratio_steps", {**ONLINE_FILES, "b_zero": "skip"}, 10)
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("ratio_steps", {**ONLINE_FILES, "target": "0.9"}, 10)
    assert caught.value.message == "Cách tính “Tỷ lệ theo bậc” không dùng “target”; dùng được: steps, b_zero."
    with pytest.raises(RuleDefinitionError, match="cần tham số “steps”"):
        validate_params("ratio_steps", {}, 10)


def test_it_refuses_a_choice_with_no_option_reaching_the_max():
    params = {"options": [{"label": "Chủ tịch", "fraction": "0.9"}, {"label": "Không", "points": 0}]}
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("choice", params, "7,5")
    assert caught.value.message == (
        "Không có lựa chọn nào đạt điểm tối đa 7,5; hãy cho ít nhất một lựa chọn 7,5 điểm (hoặc fraction = 1)."
    )


@pytest.mark.parametrize(("options", "message"), [
    ([{"label": "A", "points": 10, "fraction": 1}], "Lựa chọn “A” phải có đúng một trong hai"),
    ([{"label": "A"}], "Lựa chọn “A” phải có đúng một trong hai"),
    ([{"label": "A", "points": 12}], "Lựa chọn “A” cho 12 điểm, vượt điểm tối đa 10."),
    ([{"label": "A", "fraction": "1,5"}], "Lựa chọn “A”: fraction phải từ 0 đến 1 (đang là 1,5);"),
    ([{"label": "A", "points": 10}, {"label": " a ", "points": 0}], "Lựa chọn “a” bị trùng."),
    ([{"points": 10}], "Lựa chọn thứ 1 thiếu nhãn (label)."),
    ([{"label": "A", "points": 10, "note": "x"}],
     "Lựa chọn thứ 1 không dùng “note”; dùng được: label, points, fraction."),
    ([], "Tham số “options” phải là một danh sách có ít nhất một lựa chọn."),
])
def test_it_refuses_a_badly_defined_choice(options, message):
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("choice", {"options": options}, 10)
    assert caught.value.message.startswith(message)


def test_it_refuses_a_checklist_not_adding_up_to_the_max():
    params = {"items": [{"label": "Dự họp", "points": "4,5"}, {"label": "Chủ trì", "points": 5}]}
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("checklist", params, 10)
    assert caught.value.message == "Các mục của danh mục kiểm cộng lại được 9,5 điểm, khác điểm tối đa 10."
    with pytest.raises(RuleDefinitionError, match="Mục “Không” phải cho điểm lớn hơn 0"):
        validate_params("checklist", {"items": [{"label": "Có", "points": 10}, {"label": "Không", "points": 0}]}, 10)


def test_it_refuses_a_tick_given_twice_or_unknown():
    error = refusal(InputError, "checklist", MEETINGS, 10, {"ticked": ["Dự họp của tỉnh", 0]})
    assert error.message == "Các mục đạt: mục “Dự họp của tỉnh” được đánh dấu hai lần."
    error = refusal(InputError, "checklist", MEETINGS, 10, {"ticked": [2]})
    assert error.message == (
        "Các mục đạt: “2” không có; hãy chọn một trong: “Dự họp của tỉnh”, “Chủ trì họp riêng”."
    )
    error = refusal(InputError, "checklist", MEETINGS, 10, {"ticked": "Dự họp của tỉnh"})
    assert error.field == "ticked"


def test_it_refuses_a_count_that_is_not_a_whole_number():
    for count, shown in (("9,5", "9,5"), (-1, "-1"), (2.5, "2,5"), ("1.000,5", "1.000,5")):
        error = refusal(InputError, "count", {"per_item": 1}, 10, {"count": count})
        assert error.message == f"Số lượng: “{shown}” phải là số nguyên không âm."
        assert error.field == "count"


def test_it_refuses_a_count_rule_without_a_positive_per_item():
    with pytest.raises(RuleDefinitionError, match="^Điểm mỗi đơn vị \\(per_item\\) phải lớn hơn 0\\.$"):
        validate_params("count", {"per_item": 0}, 10)
    with pytest.raises(RuleDefinitionError, match="cần tham số “per_item”"):
        validate_params("count", {}, 10)


def test_it_refuses_an_unknown_option_and_lists_the_valid_ones():
    error = refusal(InputError, "choice", HEAD_OF_COMMITTEE, 10, {"option": "Giám đốc"})
    assert error.message == "Lựa chọn: “Giám đốc” không có; hãy chọn một trong: “Chủ tịch”, “Phó Chủ tịch”, “Không”."
    assert error.field == "option"
    assert refusal(InputError, "choice", HEAD_OF_COMMITTEE, 10, {"option": 3}).field == "option"
    assert refusal(InputError, "choice", HEAD_OF_COMMITTEE, 10, {"option": True}).field == "option"
    assert refusal(InputError, "choice", HEAD_OF_COMMITTEE, 10, {}).message == "Lựa chọn: chưa chọn."


def test_it_refuses_an_unclear_yes_or_no():
    error = refusal(InputError, "yes_no", {}, 5, {"value": "có lẽ"})
    assert error.message == "Câu trả lời “có lẽ” không hợp lệ; hãy trả lời “có” hoặc “không”."
    assert refusal(InputError, "yes_no", {}, 5, {}).field == "value"


def test_it_refuses_an_unknown_rule_and_lists_the_valid_ones():
    error = refusal(RuleDefinitionError, "percent", {}, 10, {})
    assert error.message == (
        "Cách tính điểm “percent” không có; dùng một trong: yes_no, choice, checklist, steps, count, "
        "ratio, ratio_target, ratio_steps, sum, manual, collected."
    )
    with pytest.raises(RuleDefinitionError):
        input_fields("percent", {})


def test_it_refuses_a_param_the_rule_does_not_use():
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("ratio", {"b-zero": "full"}, 10)
    assert caught.value.message == "Cách tính “Tỷ lệ” không dùng “b-zero”; dùng được: b_zero."
    with pytest.raises(RuleDefinitionError, match="Tham số phải là một đối tượng JSON"):
        validate_params("ratio", ["b_zero"], 10)


@pytest.mark.parametrize("target", [0, "1,5", "-0,1"])
def test_it_refuses_a_target_outside_zero_to_one(target):
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("ratio_target", {"target": target}, 10)
    assert caught.value.field == "target"


def test_it_refuses_a_max_of_zero_except_for_sums_and_collected_figures():
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("yes_no", {}, 0)
    assert caught.value.message.startswith("Điểm tối đa phải lớn hơn 0 với cách tính “Có/Không”")
    assert caught.value.field == "max_points"
    assert validate_params("sum", {}, 0) == {}
    assert validate_params("collected", {}, "0,0") == {}


def test_it_refuses_a_collected_figure_with_points_or_a_negative_max():
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("collected", {}, 5)
    assert caught.value.message == (
        "Cách tính “Chỉ thu thập, không tính điểm” không cho điểm nên điểm tối đa phải là 0 (đang là 5)."
    )
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("sum", {}, "-1")
    assert caught.value.message == "Điểm tối đa: “-1” không được là số âm."


def test_both_kinds_of_refusal_are_scoring_errors_and_value_errors():
    assert issubclass(InputError, ScoringError) and issubclass(RuleDefinitionError, ScoringError)
    assert issubclass(ScoringError, ValueError)
    assert ScoringError("thiếu nhãn.").message == "thiếu nhãn." and ScoringError("x").field is None


# --------------------------------------------------------------------------- params and forms


def test_validated_params_are_json_safe_normalised_and_validate_to_themselves():
    params = {"options": [{"label": "  Chủ tịch ", "points": 10.0}, {"label": "Phó  Chủ tịch", "fraction": "0,50"}]}
    normalised = validate_params(Rule.CHOICE, params, D("10.00"))
    assert normalised == {"options": [{"label": "Chủ tịch", "points": "10"},
                                      {"label": "Phó Chủ tịch", "fraction": "0.5"}]}
    assert validate_params(Rule.CHOICE, normalised, 10) == normalised
    assert validate_params("ratio", None, 1) == {}


def test_input_fields_describe_the_form_of_each_rule():
    assert input_fields("choice", HEAD_OF_COMMITTEE) == [
        {"name": "option", "label": "Lựa chọn", "kind": "choice", "choices": ["Chủ tịch", "Phó Chủ tịch", "Không"]},
    ]
    assert input_fields("checklist", MEETINGS)[0]["choices"] == ["Dự họp của tỉnh", "Chủ trì họp riêng"]
    assert input_fields("checklist", MEETINGS)[0]["kind"] == "multi"
    assert [f["label"] for f in input_fields("ratio_target", {"target": 0.1})] == ["Tử số (a)", "Mẫu số (b)"]
    assert input_fields("ratio_steps", ONLINE_FILES) == [
        {"name": "a", "label": "Tử số (a)", "kind": "number"}, {"name": "b", "label": "Mẫu số (b)", "kind": "number"},
    ]
    assert input_fields("count", {})[0] == {"name": "count", "label": "Số lượng", "kind": "integer"}
    assert input_fields("yes_no", None)[0]["kind"] == "bool"
    assert input_fields("steps", MEETING_STEPS)[0]["kind"] == "number"
    assert input_fields("manual", {})[0]["name"] == "points"
    assert input_fields("collected", {})[0]["kind"] == "text"
    assert input_fields("sum", {}) == []


@pytest.mark.parametrize(("number", "places", "text"), [
    (D("41.6"), None, "41,6"), (D("1234.5"), 2, "1.234,50"), (D("1234.5"), None, "1234,5"),
    (D("10.0000"), None, "10"), (D("1E+3"), None, "1000"), (D("-0.0"), None, "0"),
    (D("0.00005"), 4, "0,0001"), (D("1234567"), 0, "1.234.567"), (D("-1234.565"), 2, "-1.234,57"),
])
def test_numbers_are_written_with_a_decimal_comma(number, places, text):
    assert format_number(number, places) == text


@pytest.mark.parametrize(("number", "text"), [
    (D(1000), "1.000"), (D("2000.5"), "2.000,5"), (D("1234567.1234"), "1.234.567,1234"), (D("41.6"), "41,6"),
    (D("-1000"), "-1.000"), (D("0.0001"), "0,0001"), (D("999"), "999"), (D("1E+3"), "1.000"), (D("-0.0"), "0"),
    (12345, "12.345"), (0.5, "0,5"),
])
def test_a_number_is_echoed_exactly_with_thousands_grouped(number, text):
    assert format_number(number, grouped=True) == text
    assert parse_number(text, allow_negative=True) == Decimal(repr(number) if isinstance(number, float) else number)


@pytest.mark.parametrize(("typed", "echo"), [
    ("2000,5", "2.000,5"), ("1.000", "1.000"), (" 1 000 ", "1.000"), ("41,6", "41,6"), (41.6, "41,6"), (7, "7"),
    ("-1.000", "-1.000"), ("41.6", ""), ("abc", ""), (None, ""), ("", ""), ("1,23456", ""),
])
def test_echo_number_shows_a_typed_number_as_the_engine_reads_it(typed, echo):
    assert echo_number(typed) == echo


# ------------------------------------------------------------------------------ properties

POINTS = st.decimals(min_value=D("0.0001"), max_value=1000, places=4, allow_nan=False, allow_infinity=False)
FRACTIONS = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
LABELS = st.text(min_size=1, max_size=12).filter(lambda s: s.strip())
# Anything an officer might type, or a program might send, as a number.
NUMBERISH = st.one_of(
    st.decimals(min_value=-10, max_value=10**6, places=6, allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-5, max_value=10**7),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet="0123456789,.+- abcé\u00a0", max_size=10),
    st.none(),
    st.booleans(),
)


def _points_up_to(maximum):
    return st.decimals(min_value=0, max_value=maximum, places=4, allow_nan=False, allow_infinity=False)


def _label_key(label: str) -> str:
    """Labels the engine takes for the same one: NFC, spacing collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFC", label).split()).casefold()


def _half_valid(valid):
    """Half the time a valid answer, half the time anything at all."""
    return st.booleans().flatmap(lambda good: valid if good else NUMBERISH)


@st.composite
def ratio_steps(draw, maximum):
    """Valid ratio_steps params: thresholds in [0, 1] as fractions or percentages, listed either way,
    each step's points or fraction of max never lower than the step below, the top one at max."""
    mins = sorted(draw(st.lists(FRACTIONS, min_size=1, max_size=5, unique=True)))
    fractions = sorted(draw(st.lists(FRACTIONS, min_size=len(mins), max_size=len(mins))))
    fractions[-1] = D(1)
    # Every step in fractions of max, or every step in points (rounded down: still in order; top = max).
    as_points = draw(st.booleans())
    steps = []
    for m, f in zip(mins, fractions, strict=True):
        written = draw(st.sampled_from([m, f"{format_number(m * 100)} %"]))
        points = maximum if f == 1 else (f * maximum).quantize(D("0.0001"), rounding="ROUND_DOWN")
        steps.append({"min": written, "points": points} if as_points else {"min": written, "fraction": f})
    if draw(st.booleans()):
        steps.reverse()
    b_zero = draw(st.sampled_from([{}, {"b_zero": "refuse"}, {"b_zero": "zero"}, {"b_zero": "full"}]))
    return {"steps": steps, **b_zero}


@st.composite
def rules_and_answers(draw):
    """(rule, params, max, inputs) with valid params and arbitrary inputs."""
    rule = draw(st.sampled_from(list(Rule)))
    maximum = draw(POINTS)
    params: dict = {}
    if rule is Rule.YES_NO:
        inputs = {"value": draw(_half_valid(st.sampled_from([True, False, "có", "Không", "x", "", "0", 1])))}
    elif rule is Rule.CHOICE:
        labels = draw(st.lists(LABELS, min_size=1, max_size=5, unique_by=_label_key))
        options = [draw(st.one_of(
            st.builds(lambda p, lb=label: {"label": lb, "points": p}, _points_up_to(maximum)),
            st.builds(lambda f, lb=label: {"label": lb, "fraction": f}, FRACTIONS),
        )) for label in labels]
        top = draw(st.integers(0, len(labels) - 1))  # at least one option reaches the max
        options[top] = draw(st.sampled_from([{"label": labels[top], "points": maximum},
                                             {"label": labels[top], "fraction": 1}]))
        params = {"options": options}
        inputs = {"option": draw(st.one_of(st.sampled_from(labels), st.integers(-2, 6), LABELS, st.none()))}
    elif rule is Rule.CHECKLIST:
        parts = draw(st.lists(POINTS, min_size=1, max_size=5))
        maximum = sum(parts)
        labels = [f"Mục {n}" for n in range(len(parts))]
        params = {"items": [{"label": lb, "points": p} for lb, p in zip(labels, parts, strict=True)]}
        ticks = st.one_of(st.sampled_from(labels), st.integers(-1, 6), LABELS)
        inputs = {"ticked": draw(st.lists(ticks, max_size=6))}
    elif rule is Rule.STEPS:
        mins = sorted(draw(st.lists(_points_up_to(100), min_size=1, max_size=5, unique=True)))
        points = sorted(draw(st.lists(_points_up_to(maximum), min_size=len(mins), max_size=len(mins))))
        points[-1] = maximum
        params = {"steps": [{"min": m, "points": p} for m, p in zip(mins, points, strict=True)]}
        inputs = {"value": draw(_half_valid(_points_up_to(200)))}
    elif rule is Rule.RATIO_STEPS:
        params = draw(ratio_steps(maximum))
        b = draw(_half_valid(_points_up_to(10**6)))
        a = draw(_points_up_to(b) if isinstance(b, Decimal) and b.is_finite() and b >= 0 else NUMBERISH)
        inputs = {"a": a, "b": b}
    elif rule is Rule.COUNT:
        params = {"per_item": draw(POINTS)}
        inputs = {"count": draw(_half_valid(st.integers(min_value=0, max_value=10**6)))}
    elif rule in (Rule.RATIO, Rule.RATIO_TARGET):
        params = draw(st.sampled_from([{}, {"b_zero": "refuse"}, {"b_zero": "zero"}, {"b_zero": "full"}]))
        if rule is Rule.RATIO_TARGET:
            params = {**params, "target": draw(st.decimals(min_value=D("0.0001"), max_value=1, places=4))}
        b = draw(_half_valid(_points_up_to(10**6)))
        a = draw(_points_up_to(b) if isinstance(b, Decimal) and b.is_finite() and b >= 0 else NUMBERISH)
        inputs = {"a": a, "b": b}
    elif rule is Rule.SUM:
        maximum = draw(st.one_of(st.just(D(0)), POINTS))
        inputs = {"children": draw(st.lists(_half_valid(_points_up_to(maximum / 6)), max_size=6))}
    elif rule is Rule.MANUAL:
        inputs = {"points": draw(_half_valid(_points_up_to(maximum)))}
    else:
        maximum = D(0)
        inputs = {"value": draw(NUMBERISH)}
    return rule, params, maximum, inputs


@settings(deadline=None, max_examples=400)
@given(rules_and_answers())
def test_a_score_is_always_within_zero_and_the_max_with_at_most_four_decimals(case):
    rule, params, maximum, inputs = case
    validate_params(rule, params, maximum)  # valid params are never refused
    try:
        points = score(rule, params, maximum, inputs)
    except InputError:
        return
    assert D(0) <= points <= maximum
    assert points.as_tuple().exponent >= -PLACES


@settings(deadline=None)
@given(b=st.integers(min_value=1, max_value=10**6), data=st.data(), maximum=POINTS)
def test_a_ratio_grows_with_its_numerator(b, data, maximum):
    a1 = data.draw(st.integers(min_value=0, max_value=b))
    a2 = data.draw(st.integers(min_value=a1, max_value=b))
    assert score("ratio", {}, maximum, {"a": a1, "b": b}) <= score("ratio", {}, maximum, {"a": a2, "b": b})


@settings(deadline=None, max_examples=300)
@given(data=st.data(), maximum=POINTS, b=st.decimals(min_value=D("0.0001"), max_value=10**6, places=4))
def test_ratio_steps_give_a_step_s_points_growing_with_the_numerator_never_above_the_max(data, maximum, b):
    params = data.draw(ratio_steps(maximum))
    normalised = validate_params("ratio_steps", params, maximum)
    step_points = {D(0)} | {(D(s["points"]) if "points" in s else D(s["fraction"]) * maximum).quantize(D("0.0001"), rounding="ROUND_HALF_UP")
                            for s in normalised["steps"]}
    a1 = data.draw(st.decimals(min_value=0, max_value=b, places=4))
    a2 = data.draw(st.decimals(min_value=a1, max_value=b, places=4))
    first, second = (score("ratio_steps", params, maximum, {"a": a, "b": b}) for a in (a1, a2))
    assert first in step_points and second in step_points
    assert first <= second <= maximum
    assert score("ratio_steps", params, maximum, {"a": b, "b": b}) == maximum  # 100 % reaches the top step


@settings(deadline=None)
@given(
    a=st.decimals(min_value=0, max_value=10**6, places=4),
    b=st.decimals(min_value=D("0.0001"), max_value=10**6, places=4),
    target=st.decimals(min_value=D("0.0001"), max_value=1, places=4),
    maximum=POINTS,
)
def test_a_ratio_to_target_never_exceeds_the_max(a, b, target, maximum):
    a = min(a, b)
    points = score("ratio_target", {"target": target}, maximum, {"a": a, "b": b})
    assert D(0) <= points <= maximum
    if a / b >= target:
        assert points == maximum


@settings(deadline=None)
@given(st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False))
def test_a_number_written_by_the_portal_reads_back_as_itself(number):
    assert parse_number(format_number(number)) == number


@settings(deadline=None)
@given(st.decimals(min_value=-(10**15) + 1, max_value=10**15 - 1, places=4, allow_nan=False, allow_infinity=False))
def test_a_number_echoed_with_thousands_grouped_reads_back_as_itself(number):
    echoed = format_number(number, grouped=True)
    assert parse_number(echoed, allow_negative=True) == number
    assert echo_number(echoed) == echoed
    assert parse_number(echoed.replace(".", " "), allow_negative=True) == number  # space grouping too


# ------------------------------------------------------------ rules as decisions write them (§4)


@pytest.mark.parametrize("written", [0.5, "0.5", "0,5", "1/2", " 1 / 2 ", "½", "50 %", "50%", "50,0 %"])
def test_a_share_of_the_max_is_read_as_decisions_write_it(written):
    """"½ số điểm tối đa", "50 % số điểm", "1/2": each is the fraction 0.5, in choices, checklists and steps."""
    choice = {"options": [{"label": "Chủ tịch", "fraction": 1}, {"label": "Phó Chủ tịch", "fraction": written}]}
    assert validate_params("choice", choice, 10)["options"][1] == {"label": "Phó Chủ tịch", "fraction": "0.5"}
    checklist = {"items": [{"label": "Dự họp của tỉnh", "fraction": written}, {"label": "Chủ trì họp riêng", "fraction": written}]}
    assert validate_params("checklist", checklist, 10)["items"][0] == {"label": "Dự họp của tỉnh", "fraction": "0.5"}
    steps = {"steps": [{"min": "90 %", "fraction": "100 %"}, {"min": "70 %", "fraction": written}]}
    assert validate_params("ratio_steps", steps, 10)["steps"][0] == {"min": "0.7", "fraction": "0.5"}
    assert score("ratio_steps", steps, 10, {"a": 75, "b": 100}) == 5


def test_a_checklist_item_may_be_a_fraction_of_the_max_mixed_with_points():
    params = {"items": [{"label": "Dự họp của tỉnh", "fraction": "1/2"}, {"label": "Chủ trì họp riêng", "points": "3,5"},
                        {"label": "Báo cáo", "fraction": "15 %"}]}
    assert validate_params("checklist", params, 10)["items"] == [
        {"label": "Dự họp của tỉnh", "fraction": "0.5"}, {"label": "Chủ trì họp riêng", "points": "3.5"},
        {"label": "Báo cáo", "fraction": "0.15"},
    ]
    assert score("checklist", params, 10, {"ticked": ["Dự họp của tỉnh"]}) == 5
    assert score("checklist", params, 10, {"ticked": [0, 2]}) == D("6.5")
    assert score("checklist", params, 10, {"ticked": [0, 1, 2]}) == 10
    assert input_fields("checklist", params)[0]["choices"] == ["Dự họp của tỉnh", "Chủ trì họp riêng", "Báo cáo"]
    assert describe_params("checklist", validate_params("checklist", params, 10)) == (
        "Dự họp của tỉnh: 0,5 × điểm tối đa; Chủ trì họp riêng: 3,5 điểm; Báo cáo: 0,15 × điểm tối đa"
    )


@pytest.mark.parametrize(("items", "message"), [
    ([{"label": "A", "fraction": "1/2"}, {"label": "B", "fraction": "1/4"}],
     "Các mục của danh mục kiểm cộng lại được 7,5 điểm, khác điểm tối đa 10."),
    ([{"label": "A", "fraction": "1/2", "points": 5}, {"label": "B", "points": 5}],
     "Mục “A” phải có đúng một trong hai: points (số điểm) hoặc fraction (phần của điểm tối đa)."),
    ([{"label": "A", "fraction": 0}, {"label": "B", "points": 10}], "Mục “A” phải cho điểm lớn hơn 0 (đang là 0)."),
    ([{"label": "A", "fraction": "3/2"}], "Mục “A”: fraction phải từ 0 đến 1 (đang là 1,5); ghi một số từ 0 đến 1 "
                                          "(0,5), một phân số (1/2) hoặc phần trăm (50 %)."),
    ([{"label": "A", "fraction": "1/3"}, {"label": "B", "fraction": "2/3"}],
     "Mục “A”: phần “1/3” của điểm tối đa không viết được chính xác với 4 chữ số thập phân; hãy ghi số điểm "
     "(points) thay cho phần của điểm tối đa (fraction)."),
    ([{"label": "A", "fraction": "1/0"}], "Mục “A” (fraction): “1/0” phải là một số từ 0 đến 1 (0,5), một phân số "
                                          "(1/2) hoặc phần trăm (50 %)."),
    ([{"label": "A", "fraction": "nửa"}], "Mục “A” (fraction): “nửa” không phải là số."),
    ([{"label": "A", "fraction": "150 %"}], "Mục “A”: fraction phải từ 0 đến 1 (đang là 1,5); ghi một số từ 0 "
                                            "đến 1 (0,5), một phân số (1/2) hoặc phần trăm (50 %)."),
])
def test_it_refuses_a_badly_written_checklist(items, message):
    with pytest.raises(RuleDefinitionError) as caught:
        validate_params("checklist", {"items": items}, 10)
    assert (caught.value.message, caught.value.field) == (message, "items")


def test_steps_written_top_down_in_shares_of_the_max_as_a_decision_writes_them():
    """"4 cuộc trở lên: tối đa; 2–3 cuộc: ½ tối đa; 1 cuộc: ¼", top-down, in shares of the max."""
    written = {"steps": [{"min": 4, "fraction": "100 %"}, {"min": 2, "fraction": "½"}, {"min": 1, "fraction": "1/4"}]}
    assert validate_params("steps", written, 20) == {"steps": [
        {"min": "1", "fraction": "0.25"}, {"min": "2", "fraction": "0.5"}, {"min": "4", "fraction": "1"}]}
    assert [score("steps", written, 20, {"value": v}) for v in (0, 1, 3, 4, "1.000")] == [0, 5, 10, 20, 20]


def test_a_target_may_be_written_as_a_percentage():
    assert validate_params("ratio_target", {"target": "10 %"}, 10) == {"target": "0.1"}
    assert validate_params("ratio_target", {"target": "1/8"}, 10) == {"target": "0.125"}
    assert score("ratio_target", {"target": "10 %"}, 10, {"a": 5, "b": 100}) == 5
    with pytest.raises(RuleDefinitionError, match="không quá 1"):
        validate_params("ratio_target", {"target": "120 %"}, 10)
    with pytest.raises(RuleDefinitionError, match="có quá 4 chữ số thập phân"):
        validate_params("ratio_target", {"target": "1/3"}, 10)


@pytest.mark.parametrize("rule", list(Rule))
def test_every_rule_example_shown_to_catalogue_writers_is_valid(rule):
    """The catalogue form's help and the import template's guide show these: they must work."""
    words, params = RULE_EXAMPLES[rule]
    assert words
    maximum = {Rule.SUM: 0, Rule.COLLECTED: 0, Rule.STEPS: 20, Rule.CHOICE: 10, Rule.CHECKLIST: 10}.get(rule, 10)
    validate_params(rule, json.loads(params) if params else {}, maximum)


@settings(deadline=None)
@given(rules_and_answers())
def test_params_shown_as_a_decision_writes_them_validate_back_to_the_stored_params(case):
    rule, params, maximum, _ = case
    stored = validate_params(rule, params, maximum)
    written = params_as_written(rule, stored)
    assert validate_params(rule, written, maximum) == stored
    assert params_as_written(rule, {"steps": "x"}) == {"steps": "x"}  # not the engine's: shown as it is


@settings(deadline=None)
@given(parts=st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=6), maximum=POINTS,
       ticked=st.sets(st.integers(min_value=0, max_value=5)))
def test_a_checklist_in_shares_of_the_max_adds_up_to_the_max(parts, maximum, ticked):
    parts[-1] += 10000 - sum(parts) if sum(parts) < 10000 else 0
    if sum(parts) != 10000:
        return
    shares = [f"{format_number(D(n) / 100)} %" if n % 2 else D(n) / 10000 for n in parts]
    params = {"items": [{"label": f"Mục {i}", "fraction": f} for i, f in enumerate(shares)]}
    ticked = [i for i in ticked if i < len(parts)]
    points = score("checklist", params, maximum, {"ticked": ticked})
    assert D(0) <= points <= maximum
    assert score("checklist", params, maximum, {"ticked": list(range(len(parts)))}) == maximum
