"""One aiogram Router per feature; :func:`all_routers` lists them in the order they must be included."""

from __future__ import annotations

from aiogram import Router

from bot.telegram.routers import (
    admin,
    callbacks,
    earnings,
    fallback,
    linking,
    membership,
    mutes,
    nodes,
    requests,
    settings,
    start,
)


def all_routers() -> list[Router]:
    """Fresh routers (a Router can belong to one Dispatcher only); the fallback is last."""
    return [
        membership.router(),
        start.router(),
        linking.router(),
        nodes.router(),
        earnings.router(),
        mutes.router(),
        settings.router(),
        requests.router(),
        admin.router(),
        callbacks.router(),
        fallback.router(),
    ]
