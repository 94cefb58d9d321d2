"""Discord's documented message limits, checked the way Discord checks them.

Each check returns Discord's error body (code 50035 "Invalid Form Body" with per-field ``errors``, or
50006 for an empty message) or ``None`` when the payload is acceptable.
"""

from __future__ import annotations

from typing import Any

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_NAME_MAX = 256
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
ROW_ITEMS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
MODAL_TITLE_MAX = 45
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100


def _max_length(n: int) -> dict[str, Any]:
    return {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {n} or fewer in length."}]}


def _put(errors: dict[str, Any], path: list[str | int], leaf: dict[str, Any]) -> None:
    node = errors
    for key in path[:-1]:
        node = node.setdefault(str(key), {})
    node[str(path[-1])] = leaf


def invalid_form_body(errors: dict[str, Any]) -> dict[str, Any]:
    return {"message": "Invalid Form Body", "code": 50035, "errors": errors}


def embed_length(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for field in embed.get("fields") or []:
        total += len(field.get("name") or "") + len(field.get("value") or "")
    return total


def check_embeds(embeds: list[dict[str, Any]], errors: dict[str, Any]) -> None:
    if len(embeds) > EMBEDS_MAX:
        _put(errors, ["embeds"], _max_length(EMBEDS_MAX))
        return
    total = 0
    for i, embed in enumerate(embeds):
        checks: list[tuple[list[str | int], str | None, int]] = [
            (["embeds", i, "title"], embed.get("title"), EMBED_TITLE_MAX),
            (["embeds", i, "description"], embed.get("description"), EMBED_DESCRIPTION_MAX),
            (["embeds", i, "footer", "text"], (embed.get("footer") or {}).get("text"), FOOTER_MAX),
            (["embeds", i, "author", "name"], (embed.get("author") or {}).get("name"), AUTHOR_NAME_MAX),
        ]
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            _put(errors, ["embeds", i, "fields"], _max_length(EMBED_FIELDS_MAX))
        for j, field in enumerate(fields):
            if not field.get("name") or not field.get("value"):
                _put(
                    errors,
                    ["embeds", i, "fields", j],
                    {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]},
                )
            checks.append((["embeds", i, "fields", j, "name"], field.get("name"), FIELD_NAME_MAX))
            checks.append((["embeds", i, "fields", j, "value"], field.get("value"), FIELD_VALUE_MAX))
        for path, value, limit in checks:
            if value is not None and len(value) > limit:
                _put(errors, path, _max_length(limit))
        total += embed_length(embed)
    if total > EMBED_TOTAL_MAX:
        _put(
            errors,
            ["embeds"],
            {
                "_errors": [
                    {"code": "MAX_EMBED_SIZE_EXCEEDED", "message": "Embed size exceeds maximum size of 6000"}
                ]
            },
        )


def check_components(rows: list[dict[str, Any]], errors: dict[str, Any]) -> None:
    if len(rows) > ACTION_ROWS_MAX:
        _put(errors, ["components"], _max_length(ACTION_ROWS_MAX))
        return
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if row.get("type") != 1:
            _put(
                errors,
                ["components", i, "type"],
                {
                    "_errors": [
                        {
                            "code": "UNION_TYPE_CHOICES",
                            "message": 'Value of field "type" must be one of (1,).',
                        }
                    ]
                },
            )
            continue
        items = row.get("components") or []
        if not items or len(items) > ROW_ITEMS_MAX:
            _put(errors, ["components", i, "components"], _max_length(ROW_ITEMS_MAX))
        for j, item in enumerate(items):
            custom_id = item.get("custom_id")
            if custom_id is not None:
                if len(custom_id) > CUSTOM_ID_MAX:
                    _put(errors, ["components", i, "components", j, "custom_id"], _max_length(CUSTOM_ID_MAX))
                if custom_id in seen:
                    _put(
                        errors,
                        ["components", i, "components", j, "custom_id"],
                        {
                            "_errors": [
                                {
                                    "code": "COMPONENT_CUSTOM_ID_DUPLICATED",
                                    "message": "Component custom id cannot be duplicated",
                                }
                            ]
                        },
                    )
                seen.add(custom_id)
            label = item.get("label")
            if label is not None and len(label) > BUTTON_LABEL_MAX:
                _put(errors, ["components", i, "components", j, "label"], _max_length(BUTTON_LABEL_MAX))
            if (
                item.get("type") == 2
                and item.get("style") != 5
                and custom_id is None
                and item.get("sku_id") is None
            ):
                _put(
                    errors,
                    ["components", i, "components", j, "custom_id"],
                    {"_errors": [{"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]},
                )


def check_message(payload: dict[str, Any], *, files: int = 0, edit: bool = False) -> dict[str, Any] | None:
    """Validate a message create/edit body (channel messages, interaction replies, webhooks)."""
    errors: dict[str, Any] = {}
    content = payload.get("content")
    if content is not None and len(content) > CONTENT_MAX:
        _put(errors, ["content"], _max_length(CONTENT_MAX))
    embeds = payload.get("embeds") or []
    check_embeds(embeds, errors)
    components = payload.get("components") or []
    check_components(components, errors)
    if errors:
        return invalid_form_body(errors)
    if (
        not edit
        and not content
        and not embeds
        and not components
        and not files
        and not payload.get("sticker_ids")
    ):
        return {"message": "Cannot send an empty message", "code": 50006}
    return None


def check_modal(data: dict[str, Any]) -> dict[str, Any] | None:
    errors: dict[str, Any] = {}
    if len(data.get("title") or "") > MODAL_TITLE_MAX or not data.get("title"):
        _put(errors, ["data", "title"], _max_length(MODAL_TITLE_MAX))
    if len(data.get("custom_id") or "") > CUSTOM_ID_MAX or not data.get("custom_id"):
        _put(errors, ["data", "custom_id"], _max_length(CUSTOM_ID_MAX))
    rows = data.get("components") or []
    if not rows or len(rows) > ACTION_ROWS_MAX:
        _put(errors, ["data", "components"], _max_length(ACTION_ROWS_MAX))
    for i, row in enumerate(rows):
        inner = row.get("components") or ([row["component"]] if "component" in row else [])
        label_holder = row if row.get("type") == 18 else None
        for j, item in enumerate(inner):
            label = (label_holder or item).get("label")
            if label is not None and len(label) > TEXT_INPUT_LABEL_MAX:
                _put(
                    errors,
                    ["data", "components", i, "components", j, "label"],
                    _max_length(TEXT_INPUT_LABEL_MAX),
                )
            if len(item.get("custom_id") or "") > CUSTOM_ID_MAX:
                _put(
                    errors,
                    ["data", "components", i, "components", j, "custom_id"],
                    _max_length(CUSTOM_ID_MAX),
                )
    return invalid_form_body(errors) if errors else None


def check_choices(data: dict[str, Any]) -> dict[str, Any] | None:
    errors: dict[str, Any] = {}
    choices = data.get("choices") or []
    if len(choices) > CHOICES_MAX:
        _put(errors, ["data", "choices"], _max_length(CHOICES_MAX))
    for i, choice in enumerate(choices):
        if not 1 <= len(choice.get("name") or "") <= CHOICE_NAME_MAX:
            _put(errors, ["data", "choices", i, "name"], _max_length(CHOICE_NAME_MAX))
    return invalid_form_body(errors) if errors else None
