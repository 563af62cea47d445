"""The judge: template, last verdict wins, both orders must agree, the job list."""

from __future__ import annotations

import fnmatch
import itertools
import tomllib
from pathlib import Path

import pytest

from chatdesk.core.runs import judge
from chatdesk.core.runs.judge import (
    INVALID,
    TIE,
    JudgeJob,
    JudgeTemplateError,
    judge_jobs,
    judge_request_count,
    load_template,
    pair_result,
    render,
    render_job,
    verdict,
)

ROOT = Path(__file__).resolve().parents[3]


def test_shipped_template_loads_and_has_every_placeholder() -> None:
    text = load_template()
    assert all(p in text for p in judge.PLACEHOLDERS)
    assert "[[A]]" in text and "[[B]]" in text and "[[C]]" in text
    shipped = ROOT / "resources" / judge.TEMPLATE_NAME
    assert judge.default_template_path().read_bytes() == shipped.read_bytes()


def test_shipped_template_is_packaged() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["chatdesk.resources"]
    assert any(fnmatch.fnmatch(judge.TEMPLATE_NAME, p) for p in patterns)
    spec = (ROOT / "packaging" / "chatdesk.spec").read_text(encoding="utf-8")
    assert f'res / "{judge.TEMPLATE_NAME}"' in spec


def test_user_template_overrides_the_default(tmp_path: Path) -> None:
    own = "Q: {question}\nA: {answer_a}\nB: {answer_b}\nSay [[A]], [[B]] or [[C]]."
    judge.user_template_path(tmp_path).write_text(own, encoding="utf-8")
    assert load_template(config_dir=tmp_path) == own
    assert load_template(config_dir=tmp_path / "none") == load_template()


def test_bad_templates_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("Only {question} and {answer_a}", encoding="utf-8")
    with pytest.raises(JudgeTemplateError) as info:
        load_template(path)
    assert "{answer_b}" in str(info.value)
    assert "评审提示词必须包含" in info.value.explain("zh_CN")
    with pytest.raises(JudgeTemplateError):
        load_template(tmp_path / "missing.txt")
    path.write_bytes(b"\xff{question}{answer_a}{answer_b}")
    with pytest.raises(JudgeTemplateError):
        load_template(path)
    with pytest.raises(JudgeTemplateError):
        judge.validate_template("{question}{answer_a}{answer_b}" + "x" * judge.MAX_TEMPLATE_CHARS)


def test_render_fills_each_placeholder_once() -> None:
    template = "Q={question} A={answer_a} B={answer_b} {json: 1}"
    out = render(template, "why?", "see {answer_b}", "because")
    assert out == "Q=why? A=see {answer_b} B=because {json: 1}"
    job = JudgeJob(0, 0, 2, "BA")
    assert render_job(template, job, "q", ["x", "y", "z"]) == "Q=q A=z B=x {json: 1}"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Assistant A is better. [[A]]", "A"),
        ("Format: [[A]], [[B]] or [[C]]. After thought, B wins.\n[[B]]", "B"),
        ("Equal quality. [[ C ]]", "C"),
        ("I prefer A.", None),
        ("[A] or [[D]] or [[a]]", None),
        ("", None),
        (None, None),
    ],
)
def test_verdict_is_the_last_marker(reply: str | None, expected: str | None) -> None:
    assert verdict(reply) == expected


def test_both_orders_must_agree() -> None:
    assert pair_result("m1", "m2", "[[A]]", "[[B]]").winner == "m1"
    assert pair_result("m1", "m2", "[[B]]", "[[A]]").winner == "m2"
    assert pair_result("m1", "m2", "[[A]]", "[[A]]").winner == TIE  # position bias
    assert pair_result("m1", "m2", "[[B]]", "[[B]]").winner == TIE
    assert pair_result("m1", "m2", "[[C]]", "[[B]]").winner == TIE
    assert pair_result("m1", "m2", "[[A]]", "[[C]]").winner == TIE
    result = pair_result("m1", "m2", "[[A]]", "no verdict here")
    assert result.winner == INVALID and not result.counted
    assert result.verdicts == ("A", None)
    assert pair_result("m1", "m2", None, "[[B]]").winner == INVALID


def test_a_judge_that_always_says_a_yields_ties_only() -> None:
    models = ["m0", "m1", "m2", "m3"]
    jobs = judge_jobs(5, len(models))
    replies = {job: "Thinking... [[A]]" for job in jobs}
    outcomes = [
        pair_result(
            models[a],
            models[b],
            replies[JudgeJob(p, a, b, "AB")],
            replies[JudgeJob(p, a, b, "BA")],
        ).winner
        for p in range(5)
        for a, b in itertools.combinations(range(len(models)), 2)
    ]
    assert len(outcomes) == 5 * 6
    assert set(outcomes) == {TIE}


def test_judge_jobs_cover_each_pair_in_both_orders() -> None:
    jobs = judge_jobs(3, 3)
    assert len(jobs) == len(set(jobs)) == judge_request_count(3, 3) == 3 * 3 * 2
    assert jobs[:2] == [JudgeJob(0, 0, 1, "AB"), JudgeJob(0, 0, 1, "BA")]
    assert all(j.a_index < j.b_index for j in jobs)
    assert judge_jobs(4, 1) == [] and judge_request_count(4, 1) == 0
    assert judge_request_count(200, 4) == 200 * 6 * 2
