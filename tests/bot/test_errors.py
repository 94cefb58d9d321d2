"""Refusals: each carries a catalogue message, so the person refused reads it in their language."""

from __future__ import annotations

import ast
from pathlib import Path

from bot import errors
from bot.i18n.catalogs import N_, Catalogs
from bot.services import errors as service_errors
from bot.services.errors import refusal

ROOT = Path(__file__).resolve().parents[2]


def _refusals() -> set[str]:
    found = set()
    for module in (errors, service_errors):
        found |= {
            n for n, v in vars(module).items() if isinstance(v, type) and issubclass(v, errors.UserError)
        }
    return found


def _unmarked(path: Path, refusals: set[str]) -> list[tuple[int, str]]:
    """``raise SomeUserError("literal" | f"…" | "a" + b)``: text that never reaches the catalogue."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        args = node.exc.args[1:] if name == "UsageError" else node.exc.args[:1]
        for arg in args:
            if isinstance(arg, (ast.Constant, ast.JoinedStr, ast.BinOp)) and name in refusals:
                out.append((node.lineno, ast.unparse(arg).strip("'\"f")))
    return out


def test_every_refusal_is_raised_with_a_catalogue_message() -> None:
    refusals = _refusals()
    unmarked = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for line, text in _unmarked(path, refusals)
    ]
    assert unmarked == []


def test_a_refusal_is_told_in_the_language_and_logged_in_english() -> None:
    exc = errors.NotFoundError(N_("There is no request #{number}."), number=7)
    assert exc.message == str(exc) == "There is no request #7."
    zh = Catalogs().translator("zh")
    assert exc.translated(zh) == "没有编号为 #7 的申请。"
    assert refusal(exc, zh).plain() == "没有编号为 #7 的申请。"
