"""Run exports from a real store: the JSON shape, formula-safe CSV, a sealed HTML report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from chatdesk.core.runs.promptset import PromptItem
from chatdesk.core.runs.runexport import CSV_FIELDS, RunData, load_run, run_csv, run_html, run_json
from chatdesk.store import Store
from chatdesk.store.runs import JudgementKey

COLUMNS = [
    {"model": "alpha", "provider": "p", "params": {}},
    {"model": "beta", "provider": "p", "params": {"temperature": 0}},
]
NUM = {"type": ["number", "null"]}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["run_id", "models", "judge", "cells", "verdicts", "summary"],
    "properties": {
        "run_id": {"type": "integer"},
        "models": {"type": "array", "items": {"type": "string"}},
        "judge": {"type": ["string", "null"]},
        "cells": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "prompt_index",
                    "prompt_id",
                    "model",
                    "content",
                    "finish_reason",
                    "usage",
                    "ttft_ms",
                    "duration_ms",
                    "tokens_per_s",
                    "cost",
                    "error",
                ],
                "properties": {
                    "prompt_index": {"type": "integer", "minimum": 0},
                    "prompt_id": {"type": ["string", "null"]},
                    "model": {"type": "string"},
                    "content": {"type": "string"},
                    "finish_reason": {"type": ["string", "null"]},
                    "usage": {"type": ["object", "null"]},
                    "ttft_ms": NUM,
                    "duration_ms": NUM,
                    "tokens_per_s": NUM,
                    "cost": NUM,
                    "error": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["category", "http_status", "message"],
                                "properties": {
                                    "category": {"type": "string"},
                                    "http_status": {"type": ["integer", "null"]},
                                    "message": {"type": "string"},
                                },
                            },
                        ]
                    },
                },
            },
        },
        "verdicts": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["prompt_index", "a", "b", "winner", "raw"],
                "properties": {
                    "prompt_index": {"type": "integer"},
                    "a": {"type": "string"},
                    "b": {"type": "string"},
                    "winner": {"type": "string"},
                    "raw": {
                        "type": "array",
                        "items": {"type": "string"},
                        "minItems": 2,
                        "maxItems": 2,
                    },
                },
            },
        },
        "summary": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "model",
                    "ok",
                    "errors",
                    "median_ttft_ms",
                    "median_tokens_per_s",
                    "tokens_out",
                    "cost",
                    "judge_wins",
                    "judge_losses",
                    "judge_ties",
                    "rating",
                    "ci_low",
                    "ci_high",
                ],
                "properties": {
                    "model": {"type": "string"},
                    "ok": {"type": "integer"},
                    "errors": {"type": "integer"},
                    "median_ttft_ms": NUM,
                    "median_tokens_per_s": NUM,
                    "tokens_out": {"type": "integer"},
                    "cost": NUM,
                    "judge_wins": {"type": "integer"},
                    "judge_losses": {"type": "integer"},
                    "judge_ties": {"type": "integer"},
                    "rating": NUM,
                    "ci_low": NUM,
                    "ci_high": NUM,
                },
            },
        },
    },
}


@pytest.fixture
def data(tmp_path: Path) -> Iterator[RunData]:
    with Store(tmp_path / "history.sqlite3") as store:
        prompts = [
            PromptItem(0, "q-1", "=SUM(A1:A9) explain", "Be brief."),
            PromptItem(1, None, '<b>bold</b> & "quotes"'),
            PromptItem(2, "later", "never run"),
        ]
        run_id = store.runs.create_run(
            "Report <test>", COLUMNS, prompts, judge={"model": "judge-m", "provider": "p"}
        )
        runs = store.runs
        runs.save_cell(
            run_id,
            0,
            0,
            status="done",
            content="-1 is negative",
            finish_reason="stop",
            usage={"prompt_tokens": 12, "completion_tokens": 21},
            ttft_ms=100.0,
            duration_ms=1100.0,
            cost=0.002,
            currency="USD",
        )
        runs.save_cell(run_id, 0, 1, status="done", content="@mention <script>alert(1)</script>")
        runs.save_cell(run_id, 1, 0, status="done", content="fine")
        runs.save_cell(
            run_id,
            1,
            1,
            status="error",
            content="half an ans",
            error={"category": "rate_limit", "http_status": 429, "message": "slow <down>"},
        )
        runs.save_judgement(run_id, JudgementKey(0, 0, 1, "AB"), reply="A wins [[A]]")
        runs.save_judgement(run_id, JudgementKey(0, 0, 1, "BA"), reply="<i>B</i> [[B]]")
        loaded = load_run(store, run_id)
        assert loaded is not None
        assert load_run(store, run_id + 1) is None
        yield loaded


def test_json_has_the_documented_shape(data: RunData) -> None:
    out = run_json(data)
    jsonschema.validate(out, SCHEMA)
    json.dumps(out, allow_nan=False)
    assert out["models"] == ["alpha", "beta"] and out["judge"] == "judge-m"
    assert [(c["prompt_index"], c["model"]) for c in out["cells"]] == [
        (0, "alpha"),
        (0, "beta"),
        (1, "alpha"),
        (1, "beta"),
    ]
    first = out["cells"][0]
    assert (first["prompt_id"], first["content"], first["finish_reason"]) == (
        "q-1",
        "-1 is negative",
        "stop",
    )
    assert first["usage"] == {"prompt_tokens": 12, "completion_tokens": 21}
    assert first["tokens_per_s"] == 20.0 and first["cost"] == 0.002 and first["error"] is None
    assert out["cells"][3]["error"] == {
        "category": "rate_limit",
        "http_status": 429,
        "message": "slow <down>",
    }
    assert out["verdicts"] == [
        {
            "prompt_index": 0,
            "a": "alpha",
            "b": "beta",
            "winner": "alpha",
            "raw": ["A wins [[A]]", "<i>B</i> [[B]]"],
        }
    ]
    alpha, beta = out["summary"]
    assert (alpha["ok"], alpha["errors"], alpha["judge_wins"]) == (2, 0, 1)
    assert (beta["ok"], beta["errors"], beta["judge_losses"]) == (1, 1, 1)
    assert alpha["rating"] > beta["rating"]


def test_csv_one_row_per_cell_and_formula_safe(data: RunData) -> None:
    rows = list(csv.DictReader(io.StringIO(run_csv(data), newline="")))
    assert list(rows[0]) == list(CSV_FIELDS)
    assert len(rows) == 3 * 2
    assert [(r["prompt_index"], r["model"], r["status"]) for r in rows] == [
        ("0", "alpha", "done"),
        ("0", "beta", "done"),
        ("1", "alpha", "done"),
        ("1", "beta", "error"),
        ("2", "alpha", "pending"),
        ("2", "beta", "pending"),
    ]
    assert rows[0]["prompt"] == "'=SUM(A1:A9) explain"
    assert rows[0]["content"] == "'-1 is negative"
    assert rows[1]["content"] == "'@mention <script>alert(1)</script>"
    assert rows[0]["completion_tokens"] == "21" and rows[0]["tokens_per_s"] == "20.0"
    assert (rows[3]["error_category"], rows[3]["error_http_status"]) == ("rate_limit", "429")
    assert rows[3]["content"] == "half an ans"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_html_report_is_escaped_and_self_contained(data: RunData, lang: str) -> None:
    page = run_html(data, lang)
    parser = _Tags()
    parser.feed(page)
    assert not {"script", "link", "img", "iframe", "object"} & set(parser.tags)
    assert parser.urls == []
    assert "http://" not in page and "https://" not in page
    text = "".join(parser.text)
    assert "@mention <script>alert(1)</script>" in text  # shown as text, not run
    assert '<b>bold</b> & "quotes"' in text and "Report <test>" in text
    assert "slow <down>" in text and "<i>B</i> [[B]]" in text
    heading = "汇总" if lang.startswith("zh") else "Summary"
    assert heading in text
    assert parser.tags.count("tr") == 1 + 2 + 1 + 3 + 1 + 1  # summary, grid, verdicts
