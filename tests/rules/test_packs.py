"""Rule pack validation: every error names file, line and rule id."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rules.engine import Engine
from rules.packs import SHIPPED_DIR, lint_dir, load_packs, parse_pack
from vigie.cli import app
from vigie.errors import UserError

BAD = """\
pack: bad
rules:
  - id: ok.rule
    category: adult
    tier: high
    phrases: [foo]
  - id: wrong.category
    category: gambling
    tier: high
    phrases: [bar]
  - id: wrong.tier
    category: arms
    tier: severe
    phrases: [baz]
  - id: two.matchers
    category: crime
    tier: low
    phrases: [x]
    url_patterns: ['/x/']
  - id: bad.regex
    category: crime
    tier: low
    url_patterns: ['(unclosed']
  - id: ok.rule
    category: adult
    tier: low
    phrases: [dup]
"""


def test_errors_name_file_line_and_rule(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(BAD)
    errors = lint_dir(tmp_path)
    by_rule = {e.rule_id: e for e in errors}
    assert by_rule["wrong.category"].line == 8 and "gambling" in by_rule["wrong.category"].message
    assert by_rule["wrong.tier"].line == 13 and "tier" in by_rule["wrong.tier"].message
    assert by_rule["two.matchers"].line == 15 and "exactly one matcher" in by_rule["two.matchers"].message
    assert by_rule["bad.regex"].line == 23 and "regular expression" in by_rule["bad.regex"].message
    assert any(e.rule_id == "ok.rule" and e.line == 24 and "duplicate" in e.message for e in errors)
    assert str(by_rule["wrong.tier"]).startswith(f"{f}:13: rule wrong.tier:")
    with pytest.raises(UserError, match=r"bad.yaml:8: rule wrong.category"):
        load_packs([tmp_path], shipped=False)


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    _, errors = parse_pack("rules:\n  - id: a\n    phrases: [unclosed\n", "p.yaml")
    assert errors and errors[0].file == "p.yaml" and errors[0].line >= 3 and "invalid YAML" in errors[0].message


def test_unknown_field_and_missing_id(tmp_path: Path) -> None:
    _, errors = parse_pack("rules:\n  - category: adult\n    tier: low\n    phrases: [a]\n    colour: red\n", "p.yaml")
    msgs = [str(e) for e in errors]
    assert any("p.yaml:2:" in m and "field 'id'" in m for m in msgs)
    assert any("p.yaml:5:" in m and "unknown field 'colour'" in m for m in msgs)


def test_shipped_packs_are_valid_and_cover_every_category() -> None:
    assert lint_dir(SHIPPED_DIR) == []
    engine = Engine.load()
    cats = {r.category for r in engine.rules if r.category}
    from rules.garm import CATEGORIES

    assert cats == set(CATEGORIES)
    for lang in ("fr", "en"):
        lang_cats = {r.category for r in engine.rules if r.category and r.phrases and lang in r.lang}
        assert lang_cats == set(CATEGORIES), lang


def test_user_pack_extends_shipped(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("pack: mine\nrules:\n  - id: mine.brand\n    category: debated_social_issues\n"
                                        "    tier: high\n    phrases: [frobnication]\n")
    engine = Engine.load([tmp_path])
    from rules.engine import PageFacts

    v = engine.score_page(PageFacts(url="http://x.test/", text="Frobnication again."))
    assert v.tier("debated_social_issues") == "high"


def test_lint_cli(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    result = CliRunner().invoke(app, ["rules", "lint", str(tmp_path)])
    assert result.exit_code == 2
    assert "bad.yaml:13: rule wrong.tier:" in result.output
    ok = CliRunner().invoke(app, ["rules", "lint", str(SHIPPED_DIR)])
    assert ok.exit_code == 0, ok.output
