"""Support requests: the guided form, create, list own; admins list, take and change status.

Every new request and every status change enqueues notifications (same transaction) to the admin
channels (routes with scope ``all`` or ``requests`` plus ``alerts.admin_*``) and to the requester on
each linked platform (when their ``requests`` alert setting is on; on creation, not on the platform
they are typing on, which already got the answer).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.config import Config
from bot.db import alert_settings as settings_db
from bot.db import languages as languages_db
from bot.db import outbox
from bot.db import requests as requests_db
from bot.db import users as users_db
from bot.db.requests import SupportRequest
from bot.db.types import Conn, Pool
from bot.errors import ConflictError, InvalidInputError, NotFoundError, RateLimitedError, UsageError
from bot.i18n.catalogs import L_, LP_, N_, LazyText, Translator
from bot.render.message import Button, Message, MessageField, Span
from bot.services import actions, arguments
from bot.services.arguments import RequestStatus, RequestType, StatusFilter
from bot.services.authz import Authz
from bot.services.commands import REQUEST_STATUSES, usage
from bot.services.context import Who
from bot.services.fanout import admin_channels, notifications, user_targets
from bot.services.language import LanguageService
from bot.services.paging import MAX_ROWS, nav_buttons, page_slice

OPEN_STATUSES = ["pending", "in_progress"]
TYPE_TEXT = {"new_node": N_("new node"), "support": N_("support"), "other": N_("other")}
STATUS_TEXT = {
    "pending": N_("⏳ pending"),
    "in_progress": N_("🛠 in progress"),
    "approved": N_("✅ approved"),
    "completed": N_("🏁 completed"),
    "rejected": N_("❌ rejected"),
}
MAX_COMMENTS = 2000
#: the window of ``limits.requests_per_hour``
REQUEST_WINDOW_S = 3600.0
MAX_NOTES = 1000


def _clean(v: object) -> object:
    if isinstance(v, str):
        text = "".join(ch for ch in v if ch in "\n\t" or ord(ch) >= 32).strip()
        return text or None
    return v


class FieldsMissingError(ValueError):
    """A request of its type needs these fields (the form-wide rule)."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__("missing: " + ", ".join(fields))
        self.fields = fields


class RequestForm(BaseModel):
    """What a user submits; field limits follow the ``support_requests`` columns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: RequestType = "new_node"
    gpu_type: Annotated[str | None, Field(max_length=50)] = None
    quantity: Annotated[int | None, Field(ge=1, le=1000)] = None
    region: Annotated[str | None, Field(max_length=100)] = None
    budget: Annotated[str | None, Field(max_length=100)] = None
    comments: Annotated[str | None, Field(max_length=MAX_COMMENTS)] = None

    @field_validator("gpu_type", "region", "budget", "comments", "quantity", mode="before")
    @classmethod
    def _strip(cls, v: object) -> object:
        return _clean(v)

    @model_validator(mode="after")
    def _required(self) -> RequestForm:
        if self.type == "new_node":
            missing = [f for f in ("gpu_type", "quantity", "region") if getattr(self, f) is None]
            if missing:
                raise FieldsMissingError(missing)
        elif self.comments is None:
            raise FieldsMissingError(["comments"])
        return self


@dataclass(frozen=True, slots=True)
class FormStep:
    """One question of the guided form. ``label`` and ``prompt`` are catalogue source strings (each
    frontend shows them in the caller's language): ``label`` names the answer (Discord's input label,
    the summary's field: at most 45 characters in every language), ``prompt`` asks for it (Discord's
    placeholder: at most 100)."""

    field: str
    label: str
    prompt: str
    required: bool


_STEPS: dict[str, tuple[FormStep, ...]] = {
    "new_node": (
        FormStep("gpu_type", N_("GPU type"), N_("Which GPU type? (for example H100, H200, A100)"), True),
        FormStep("quantity", N_("Quantity"), N_("How many GPUs / servers? (a number from 1 to 1000)"), True),
        FormStep("region", N_("Region"), N_("Which region? (for example Europe, US East)"), True),
        FormStep("budget", N_("Budget"), N_("Your budget?"), False),
        FormStep("comments", N_("Comments"), N_("Anything else we should know?"), False),
    ),
    "support": (
        FormStep(
            "comments",
            N_("Comments"),
            N_("Describe the problem: which node, what you see, since when."),
            True,
        ),
    ),
    "other": (FormStep("comments", N_("Comments"), N_("What can we help you with?"), True),),
}


@dataclass(frozen=True, slots=True)
class RequestResult:
    request: SupportRequest
    message: Message


@dataclass(frozen=True, slots=True)
class RequestListResult:
    items: tuple[SupportRequest, ...]
    page: int
    pages: int
    total: int
    message: Message


#: each form field's name as the form shows it (catalogue ids)
FIELD_TEXT = {
    "type": N_("Type"),
    "gpu_type": N_("GPU type"),
    "quantity": N_("Quantity"),
    "region": N_("Region"),
    "budget": N_("Budget"),
    "comments": N_("Comments"),
}
#: pydantic's error types, said for the person filling the form (``{field}``, ``{limit}``)
_PROBLEMS = {
    "int_parsing": N_("{field}: a whole number, please."),
    "int_from_float": N_("{field}: a whole number, please."),
    "greater_than_equal": N_("{field}: at least {limit}."),
    "less_than_equal": N_("{field}: at most {limit}."),
    "string_too_long": N_("{field}: at most {limit} characters."),
    "missing": N_("{field} is missing."),
    "extra_forbidden": N_("{field} is not a field of the form."),
    "literal_error": N_("{field}: one of new_node, support, other."),
}
_LIMIT = {"greater_than_equal": "ge", "less_than_equal": "le", "string_too_long": "max_length"}


def _problem(exc: ValidationError) -> LazyText:
    """What is wrong with the form, each problem in the person's language."""
    parts: list[LazyText] = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = str(err["loc"][0]) if err["loc"] else ""
        field: object = L_(FIELD_TEXT[loc]) if loc in FIELD_TEXT else loc
        kind = err["type"]
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, FieldsMissingError):  # the form-wide rule: what a request of its type needs
            if cause.fields == ["comments"]:
                parts.append(L_(N_("Please describe what you need in comments.")))
            else:
                needed = _joined([L_(FIELD_TEXT[f]) for f in cause.fields], ", ")
                parts.append(L_(N_("A new node request needs {fields}."), fields=needed))
        elif kind in _PROBLEMS:
            limit = (err.get("ctx") or {}).get(_LIMIT.get(kind, ""), "")
            parts.append(L_(_PROBLEMS[kind], field=field, limit=limit))
        else:
            parts.append(L_(N_("{field}: {problem}"), field=field, problem=str(err["msg"])))
    return _joined(parts, "; ")


def _joined(texts: list[LazyText], separator: str) -> LazyText:
    """Several texts as one, each translated when it is shown."""
    return L_(
        separator.join(f"{{p{i}}}" for i in range(len(texts))), **{f"p{i}": x for i, x in enumerate(texts)}
    )


def parse_form(form: RequestForm | Mapping[str, object]) -> RequestForm:
    if isinstance(form, RequestForm):
        return form
    try:
        return RequestForm.model_validate(dict(form))
    except ValidationError as exc:
        raise InvalidInputError(N_("The request is not complete: {problem}"), problem=_problem(exc)) from None


def request_lines(r: SupportRequest, t: Translator) -> tuple[MessageField, ...]:
    fields = [
        MessageField(name=t("Type"), value=t(TYPE_TEXT[r.type])),
        MessageField(name=t("Status"), value=t(STATUS_TEXT[r.status])),
    ]
    for name, value in (
        ("GPU", r.gpu_type),
        (t("Quantity"), None if r.quantity is None else t.number(r.quantity)),
        (t("Region"), r.region),
        (t("Budget"), r.budget),
    ):
        if value:
            fields.append(MessageField(name=name, value=value))
    if r.comments:
        fields.append(MessageField(name=t("Comments"), value=r.comments, inline=False))
    if r.admin_notes:
        fields.append(MessageField(name=t("Notes"), value=r.admin_notes, inline=False))
    return tuple(fields)


def admin_buttons(number: int, t: Translator) -> tuple[tuple[Button, ...], ...]:
    n = str(number)
    return (
        (
            Button(label=t("Take"), action=actions.REQ_TAKE, args=(n,)),
            Button(label=t("Approve"), action=actions.REQ_APPROVE, args=(n,)),
            Button(label=t("Reject"), action=actions.REQ_REJECT, args=(n,)),
        ),
    )


class RequestsService:
    PAGE_SIZE = 10

    def __init__(self, pool: Pool, config: Config, authz: Authz, language: LanguageService) -> None:
        self._pool = pool
        self._config = config
        self._authz = authz
        self._language = language

    @staticmethod
    def steps(type_: str) -> tuple[FormStep, ...]:
        """The guided form's questions for ``new_node`` / ``support`` / ``other``, in order."""
        try:
            return _STEPS[arguments.request_type(type_)]
        except InvalidInputError as exc:
            raise UsageError(usage("request"), exc.text) from None

    @staticmethod
    def validate_field(type_: str, field: str, text: str) -> str | int | None:
        """One answer of the guided form, validated (``-`` skips an optional field)."""
        step = next((s for s in RequestsService.steps(type_) if s.field == field), None)
        if step is None:
            raise InvalidInputError(N_("Unknown field {field}."), field=field[:40])
        value = _clean(text)
        if value == "-" or value is None:
            if step.required:
                raise InvalidInputError(N_("This one is needed; please answer it."))
            return None
        data: dict[str, object] = {"type": "other", "comments": "x", field: value}
        try:
            form = RequestForm.model_validate(data)
        except ValidationError as exc:
            raise InvalidInputError(_problem(exc)) from None
        result: str | int | None = getattr(form, field)
        return result

    async def create(self, who: Who, form: RequestForm | Mapping[str, object]) -> RequestResult:
        actor = await self._authz.require_linked(who)
        caller = actor.caller
        f = parse_form(form)
        t = await self._language.translator(actor)
        english = self._language.catalogs.translator(None)
        async with self._pool.acquire() as conn, conn.transaction():
            await self._within_limit(conn, actor.me.id)
            req = await requests_db.insert_request(
                conn,
                actor.me.id,
                f.type,
                gpu_type=f.gpu_type,
                quantity=f.quantity,
                region=f.region,
                budget=f.budget,
                comments=f.comments,
            )
            admin_msg = Message(
                title=f"New request #{req.number}: {TYPE_TEXT[req.type]}",
                lines=((Span(text="From "), Span(text=req.user_email, style="bold")),),
                fields=request_lines(req, english),
                buttons=admin_buttons(req.number, english),
            )

            def user_msg(t: Translator) -> Message:
                return Message(
                    title=t("Request #{number} received", number=req.number),
                    severity="success",
                    lines=((Span(text=t("We will get back to you here. /myrequests shows its status.")),),),
                    fields=request_lines(req, t),
                )

            await self._notify(
                conn,
                req,
                admin_msg,
                user_msg,
                "request_new",
                skip=(caller.platform, caller.platform_user_id),
            )
        return RequestResult(request=req, message=user_msg(t))

    async def _within_limit(self, conn: Conn, user_id: UUID) -> None:
        """At most ``limits.requests_per_hour`` requests per account (an admin group is no inbox for a
        flood of them)."""
        most = self._config.limits.requests_per_hour
        if await requests_db.count_recent_locked(conn, user_id, REQUEST_WINDOW_S) >= most:
            raise RateLimitedError(
                LP_(
                    "You have sent {n} request in the last hour. Please wait before sending another; "
                    "/myrequests shows the ones we have.",
                    "You have sent {n} requests in the last hour. Please wait before sending another; "
                    "/myrequests shows the ones we have.",
                    most,
                ),
                REQUEST_WINDOW_S,
            )

    async def mine(self, who: Who, page: int = 0) -> RequestListResult:
        actor = await self._authz.require_linked(who)
        items = await requests_db.list_by_user(self._pool, actor.me.id)
        t = await self._language.translator(actor)
        return self._page(t, items, page, t("Your requests"), actions.MYREQUESTS_PAGE, (), admin=False)

    async def list_requests(
        self, who: Who, status: StatusFilter = "open", page: int = 0
    ) -> RequestListResult:
        actor = await self._authz.require_admin(who, "requests", status)
        t = await self._language.translator(actor)
        if status == "open":
            statuses, title = OPEN_STATUSES, t("Open requests")
        elif status == "all":
            statuses, title = list(REQUEST_STATUSES), t("All requests")
        else:
            statuses, title = [status], t("Requests: {status}", status=t(STATUS_TEXT[status]))
        items = await requests_db.list_by_status(self._pool, statuses)
        await self._authz.audit(actor, "requests", status, "ok", {"count": len(items)})
        return self._page(t, items, page, title, actions.REQUESTS_PAGE, (status,), admin=True)

    async def take(self, who: Who, number: int) -> RequestResult:
        return await self._change(who, number, "in_progress", None, take=True)

    async def set_status(
        self, who: Who, number: int, status: RequestStatus, notes: str | None = None
    ) -> RequestResult:
        return await self._change(who, number, status, notes, take=False)

    # -- internals -----------------------------------------------------------------------------

    async def _change(
        self, who: Who, n: int, new_status: RequestStatus, notes: str | None, *, take: bool
    ) -> RequestResult:
        action = "request_take" if take else "request_set"
        actor = await self._authz.require_admin(who, action, str(n))
        t = await self._language.translator(actor)
        try:
            cleaned = _clean(notes)
            if isinstance(cleaned, str) and len(cleaned) > MAX_NOTES:
                raise InvalidInputError(N_("Notes are at most {count} characters."), count=MAX_NOTES)
            note_text = cleaned if isinstance(cleaned, str) else None
            async with self._pool.acquire() as conn, conn.transaction():
                current = await requests_db.get_for_update(conn, n)
                if current is None:
                    raise NotFoundError(N_("There is no request #{number}."), number=n)
                if take and current.status in ("completed", "rejected"):
                    raise ConflictError(
                        N_("Request #{number} is already {status}."),
                        number=n,
                        status=L_(STATUS_TEXT[current.status]),
                    )
                if current.status == new_status and note_text is None and not take:
                    raise ConflictError(
                        N_("Request #{number} is already {status}."),
                        number=n,
                        status=L_(STATUS_TEXT[new_status]),
                    )
                me = None if actor.user is None else actor.user.id
                req = await requests_db.update_status(
                    conn,
                    n,
                    new_status,
                    notes=note_text,
                    processed_by=me,
                    assigned_to=me if take else None,
                )

                def admin_msg_in(t: Translator) -> Message:
                    by = t("an admin") if actor.user is None else (actor.user.name or actor.user.email)
                    return Message(
                        title=t("Request #{number} → {status}", number=n, status=t(STATUS_TEXT[new_status])),
                        lines=(
                            (Span(text=t("From {email}; changed by {by}", email=req.user_email, by=by)),),
                        ),
                        fields=request_lines(req, t),
                        buttons=admin_buttons(n, t) if new_status in OPEN_STATUSES else (),
                    )

                def user_msg(t: Translator) -> Message:
                    user_lines: list[tuple[Span, ...]] = [
                        (
                            Span(
                                text=t(
                                    "Your request #{number} ({type}) is now ",
                                    number=n,
                                    type=t(TYPE_TEXT[req.type]),
                                )
                            ),
                            Span(text=t(STATUS_TEXT[new_status]), style="bold"),
                            Span(text="."),
                        ),
                    ]
                    if note_text:
                        user_lines.append((Span(text=t("Notes: ")), Span(text=note_text)))
                    return Message(
                        title=t("Request #{number} updated", number=n),
                        severity="success" if new_status in ("approved", "completed") else "info",
                        lines=tuple(user_lines),
                    )

                admin_msg = admin_msg_in(t)
                english = self._language.catalogs.translator(None)
                await self._notify(conn, req, admin_msg_in(english), user_msg, "request_update", skip=None)
                await self._authz.audit(
                    actor,
                    action,
                    f"#{n}",
                    "ok",
                    {"from": current.status, "to": new_status, "notes": note_text},
                    db=conn,
                )
        except (InvalidInputError, NotFoundError, ConflictError) as exc:
            await self._authz.audit(actor, action, f"#{n}", "failed", {"reason": exc.message})
            raise
        return RequestResult(request=req, message=admin_msg)

    async def _notify(
        self,
        conn: Conn,
        req: SupportRequest,
        admin_msg: Message,
        user_msg: Callable[[Translator], Message],
        kind: str,
        *,
        skip: tuple[str, str] | None,
    ) -> None:
        """The admin channels get ``admin_msg`` (English: a channel has no language of its own); the
        requester gets ``user_msg`` in the language each of their chat accounts chose."""
        event = uuid.uuid4().hex
        items = notifications(
            await admin_channels(conn, self._config, ["all", "requests"]),
            kind,
            admin_msg,
            f"{kind}:{req.number}:{event}",
        )
        user = await users_db.get_user(conn, req.user_id)
        if user is not None and (await settings_db.get_settings(conn, user.id)).requests:
            targets = user_targets(user, skip=skip)
            chosen = await languages_db.chosen_many(conn, [(tg.platform, tg.target_id) for tg in targets])
            for target in targets:
                t = self._language.catalogs.translator(chosen.get((target.platform, target.target_id)))
                items += notifications([target], kind, user_msg(t), f"{kind}:{req.number}:{event}")
        await outbox.enqueue(conn, items)

    def _page(
        self,
        t: Translator,
        items: list[SupportRequest],
        page: int,
        title: str,
        action: str,
        prefix: tuple[str, ...],
        *,
        admin: bool,
    ) -> RequestListResult:
        if not items:
            text = t("No requests.") if admin else t("You have no requests yet. Send /request to make one.")
            return RequestListResult(
                items=(), page=0, pages=1, total=0, message=Message.text(text, title=title)
            )
        shown, page, pages = page_slice(items, page, self.PAGE_SIZE)
        lines: list[tuple[Span, ...]] = []
        for r in shown:
            head = (
                f"#{r.number} · {t(TYPE_TEXT[r.type])} · {t(STATUS_TEXT[r.status])} · {r.created_at:%Y-%m-%d}"
            )
            lines.append((Span(text=head, style="bold"),))
            detail = r.user_email + " · " if admin else ""
            summary = ", ".join(
                x for x in (r.gpu_type, None if r.quantity is None else f"×{r.quantity}", r.region) if x
            ) or (r.comments or "")
            lines.append((Span(text=(detail + summary)[:200]),))
            if r.admin_notes and not admin:
                lines.append((Span(text=t("Notes: ") + r.admin_notes[:300]),))
        buttons: tuple[tuple[Button, ...], ...] = ()
        if admin:
            buttons = tuple(
                tuple(
                    Button(label=f"{b.label} #{r.number}", action=b.action, args=b.args)
                    for b in admin_buttons(r.number, t)[0]
                )
                for r in shown
                if r.status in OPEN_STATUSES
            )[: MAX_ROWS - 1]
        nav = nav_buttons(action, page, pages, *prefix, t=t)
        return RequestListResult(
            items=tuple(shown),
            page=page,
            pages=pages,
            total=len(items),
            message=Message(
                title=f"{title} ({len(items)})",
                lines=tuple(lines),
                buttons=buttons + ((nav,) if nav else ()),
            ),
        )
