"""Support requests: the guided form, create, list own; admins list, take and change status.

Every new request and every status change enqueues notifications (same transaction) to the admin
channels (routes with scope ``all`` or ``requests`` plus ``alerts.admin_*``) and to the requester on
each linked platform (when their ``requests`` alert setting is on; on creation, not on the platform
they are typing on, which already got the answer).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.config import Config
from bot.db import alert_settings as settings_db
from bot.db import outbox
from bot.db import requests as requests_db
from bot.db import users as users_db
from bot.db.requests import SupportRequest
from bot.db.types import Conn, Pool
from bot.errors import ConflictError, InvalidInputError, NotFoundError, RateLimitedError, UsageError
from bot.i18n.catalogs import N_
from bot.render.message import Button, Message, MessageField, Span
from bot.services import actions, arguments
from bot.services.arguments import RequestStatus, RequestType, StatusFilter
from bot.services.authz import Authz
from bot.services.commands import REQUEST_STATUSES, usage
from bot.services.context import Who
from bot.services.fanout import admin_channels, notifications, user_targets
from bot.services.paging import MAX_ROWS, nav_buttons, page_slice

OPEN_STATUSES = ["pending", "in_progress"]
TYPE_TEXT = {"new_node": "new node", "support": "support", "other": "other"}
STATUS_TEXT = {
    "pending": "⏳ pending",
    "in_progress": "🛠 in progress",
    "approved": "✅ approved",
    "completed": "🏁 completed",
    "rejected": "❌ rejected",
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
                raise ValueError("a new node request needs " + ", ".join(missing))
        elif self.comments is None:
            raise ValueError("please describe what you need in comments")
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


def _problem(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def parse_form(form: RequestForm | Mapping[str, object]) -> RequestForm:
    if isinstance(form, RequestForm):
        return form
    try:
        return RequestForm.model_validate(dict(form))
    except ValidationError as exc:
        raise InvalidInputError("The request is not complete: " + _problem(exc)) from None


def request_lines(r: SupportRequest) -> tuple[MessageField, ...]:
    fields = [
        MessageField(name="Type", value=TYPE_TEXT[r.type]),
        MessageField(name="Status", value=STATUS_TEXT[r.status]),
    ]
    for name, value in (
        ("GPU", r.gpu_type),
        ("Quantity", None if r.quantity is None else str(r.quantity)),
        ("Region", r.region),
        ("Budget", r.budget),
    ):
        if value:
            fields.append(MessageField(name=name, value=value))
    if r.comments:
        fields.append(MessageField(name="Comments", value=r.comments, inline=False))
    if r.admin_notes:
        fields.append(MessageField(name="Notes", value=r.admin_notes, inline=False))
    return tuple(fields)


def admin_buttons(number: int) -> tuple[tuple[Button, ...], ...]:
    n = str(number)
    return (
        (
            Button(label="Take", action=actions.REQ_TAKE, args=(n,)),
            Button(label="Approve", action=actions.REQ_APPROVE, args=(n,)),
            Button(label="Reject", action=actions.REQ_REJECT, args=(n,)),
        ),
    )


class RequestsService:
    PAGE_SIZE = 10

    def __init__(self, pool: Pool, config: Config, authz: Authz) -> None:
        self._pool = pool
        self._config = config
        self._authz = authz

    @staticmethod
    def steps(type_: str) -> tuple[FormStep, ...]:
        """The guided form's questions for ``new_node`` / ``support`` / ``other``, in order."""
        try:
            return _STEPS[arguments.request_type(type_)]
        except InvalidInputError as exc:
            raise UsageError(usage("request"), exc.message) from None

    @staticmethod
    def validate_field(type_: str, field: str, text: str) -> str | int | None:
        """One answer of the guided form, validated (``-`` skips an optional field)."""
        step = next((s for s in RequestsService.steps(type_) if s.field == field), None)
        if step is None:
            raise InvalidInputError(f"Unknown field {field[:40]}.")
        value = _clean(text)
        if value == "-" or value is None:
            if step.required:
                raise InvalidInputError("This one is needed; please answer it.")
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
                fields=request_lines(req),
                buttons=admin_buttons(req.number),
            )
            user_msg = Message(
                title=f"Request #{req.number} received",
                severity="success",
                lines=((Span(text="We will get back to you here. /myrequests shows its status."),),),
                fields=request_lines(req),
            )
            await self._notify(
                conn,
                req,
                admin_msg,
                user_msg,
                "request_new",
                skip=(caller.platform, caller.platform_user_id),
            )
        return RequestResult(request=req, message=user_msg)

    async def _within_limit(self, conn: Conn, user_id: UUID) -> None:
        """At most ``limits.requests_per_hour`` requests per account (an admin group is no inbox for a
        flood of them)."""
        most = self._config.limits.requests_per_hour
        if await requests_db.count_recent_locked(conn, user_id, REQUEST_WINDOW_S) >= most:
            raise RateLimitedError(
                f"You have sent {most} requests in the last hour. Please wait before sending another; "
                "/myrequests shows the ones we have.",
                REQUEST_WINDOW_S,
            )

    async def mine(self, who: Who, page: int = 0) -> RequestListResult:
        actor = await self._authz.require_linked(who)
        items = await requests_db.list_by_user(self._pool, actor.me.id)
        return self._page(items, page, "Your requests", actions.MYREQUESTS_PAGE, (), admin=False)

    async def list_requests(
        self, who: Who, status: StatusFilter = "open", page: int = 0
    ) -> RequestListResult:
        actor = await self._authz.require_admin(who, "requests", status)
        if status == "open":
            statuses, title = OPEN_STATUSES, "Open requests"
        elif status == "all":
            statuses, title = list(REQUEST_STATUSES), "All requests"
        else:
            statuses, title = [status], f"Requests: {status}"
        items = await requests_db.list_by_status(self._pool, statuses)
        await self._authz.audit(actor, "requests", status, "ok", {"count": len(items)})
        return self._page(items, page, title, actions.REQUESTS_PAGE, (status,), admin=True)

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
        try:
            cleaned = _clean(notes)
            if isinstance(cleaned, str) and len(cleaned) > MAX_NOTES:
                raise InvalidInputError(f"Notes are at most {MAX_NOTES} characters.")
            note_text = cleaned if isinstance(cleaned, str) else None
            async with self._pool.acquire() as conn, conn.transaction():
                current = await requests_db.get_for_update(conn, n)
                if current is None:
                    raise NotFoundError(f"There is no request #{n}.")
                if take and current.status in ("completed", "rejected"):
                    raise ConflictError(f"Request #{n} is already {current.status}.")
                if current.status == new_status and note_text is None and not take:
                    raise ConflictError(f"Request #{n} is already {STATUS_TEXT[new_status]}.")
                me = None if actor.user is None else actor.user.id
                req = await requests_db.update_status(
                    conn,
                    n,
                    new_status,
                    notes=note_text,
                    processed_by=me,
                    assigned_to=me if take else None,
                )
                by = "an admin" if actor.user is None else (actor.user.name or actor.user.email)
                admin_msg = Message(
                    title=f"Request #{n} → {STATUS_TEXT[new_status]}",
                    lines=((Span(text=f"From {req.user_email}; changed by {by}"),),),
                    fields=request_lines(req),
                    buttons=admin_buttons(n) if new_status in OPEN_STATUSES else (),
                )
                user_lines: list[tuple[Span, ...]] = [
                    (
                        Span(text=f"Your request #{n} ({TYPE_TEXT[req.type]}) is now "),
                        Span(text=STATUS_TEXT[new_status], style="bold"),
                        Span(text="."),
                    ),
                ]
                if note_text:
                    user_lines.append((Span(text="Notes: "), Span(text=note_text)))
                user_msg = Message(
                    title=f"Request #{n} updated",
                    severity="success" if new_status in ("approved", "completed") else "info",
                    lines=tuple(user_lines),
                )
                await self._notify(conn, req, admin_msg, user_msg, "request_update", skip=None)
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
        user_msg: Message,
        kind: str,
        *,
        skip: tuple[str, str] | None,
    ) -> None:
        event = uuid.uuid4().hex
        items = notifications(
            await admin_channels(conn, self._config, ["all", "requests"]),
            kind,
            admin_msg,
            f"{kind}:{req.number}:{event}",
        )
        user = await users_db.get_user(conn, req.user_id)
        if user is not None and (await settings_db.get_settings(conn, user.id)).requests:
            items += notifications(
                user_targets(user, skip=skip), kind, user_msg, f"{kind}:{req.number}:{event}"
            )
        await outbox.enqueue(conn, items)

    def _page(
        self,
        items: list[SupportRequest],
        page: int,
        title: str,
        action: str,
        prefix: tuple[str, ...],
        *,
        admin: bool,
    ) -> RequestListResult:
        if not items:
            text = "No requests." if admin else "You have no requests yet. Send /request to make one."
            return RequestListResult(
                items=(), page=0, pages=1, total=0, message=Message.text(text, title=title)
            )
        shown, page, pages = page_slice(items, page, self.PAGE_SIZE)
        lines: list[tuple[Span, ...]] = []
        for r in shown:
            head = f"#{r.number} · {TYPE_TEXT[r.type]} · {STATUS_TEXT[r.status]} · {r.created_at:%Y-%m-%d}"
            lines.append((Span(text=head, style="bold"),))
            detail = r.user_email + " · " if admin else ""
            summary = ", ".join(
                x for x in (r.gpu_type, None if r.quantity is None else f"×{r.quantity}", r.region) if x
            ) or (r.comments or "")
            lines.append((Span(text=(detail + summary)[:200]),))
            if r.admin_notes and not admin:
                lines.append((Span(text=f"Notes: {r.admin_notes[:300]}"),))
        buttons: tuple[tuple[Button, ...], ...] = ()
        if admin:
            buttons = tuple(
                tuple(
                    Button(label=f"{b.label} #{r.number}", action=b.action, args=b.args)
                    for b in admin_buttons(r.number)[0]
                )
                for r in shown
                if r.status in OPEN_STATUSES
            )[: MAX_ROWS - 1]
        nav = nav_buttons(action, page, pages, *prefix)
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
