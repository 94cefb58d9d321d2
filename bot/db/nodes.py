"""Queries on ``nodes`` and ``user_nodes``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from bot.db.types import Executor
from bot.domain.identifiers import IdentifierType

_NODE_COLUMNS = (
    "id, identifier, identifier_type, display_name, gpu_type, region, gcore_instance_id, created_at"
)


@dataclass(frozen=True, slots=True)
class Node:
    id: UUID
    identifier: str
    identifier_type: IdentifierType
    display_name: str | None
    gpu_type: str | None
    region: str | None
    gcore_instance_id: str | None
    created_at: datetime

    @property
    def label(self) -> str:
        """What people call the node: its display name, else its identifier."""
        return self.display_name or self.identifier


@dataclass(frozen=True, slots=True)
class Assignment:
    node: Node
    node_created: bool
    assignment_created: bool


UPSERT_NODE_SQL = f"""
INSERT INTO nodes (identifier, identifier_type, display_name, gpu_type, region)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (identifier) DO UPDATE SET
    display_name = COALESCE(EXCLUDED.display_name, nodes.display_name),
    gpu_type = COALESCE(EXCLUDED.gpu_type, nodes.gpu_type),
    region = COALESCE(EXCLUDED.region, nodes.region)
RETURNING {_NODE_COLUMNS}, (xmax = 0) AS created
"""

ASSIGN_NODE_SQL = """
INSERT INTO user_nodes (user_id, node_id, assigned_by)
VALUES ($1, $2, $3)
ON CONFLICT (user_id, node_id) DO NOTHING
RETURNING user_id
"""

UNASSIGN_NODE_SQL = "DELETE FROM user_nodes WHERE user_id = $1 AND node_id = $2 RETURNING node_id"

GET_NODE_BY_IDENTIFIER_SQL = f"SELECT {_NODE_COLUMNS} FROM nodes WHERE identifier = $1"

GET_NODE_SQL = f"SELECT {_NODE_COLUMNS} FROM nodes WHERE id = $1"

LIST_USER_NODES_SQL = f"""
SELECT {", ".join("n." + c.strip() for c in _NODE_COLUMNS.split(","))}
FROM user_nodes un JOIN nodes n ON n.id = un.node_id
WHERE un.user_id = $1
ORDER BY lower(coalesce(n.display_name, n.identifier)), n.identifier
"""


def _node(row: asyncpg.Record) -> Node:
    return Node(**{k: row[k] for k in Node.__slots__})


async def upsert_node(
    db: Executor,
    identifier: str,
    identifier_type: IdentifierType,
    *,
    display_name: str | None = None,
    gpu_type: str | None = None,
    region: str | None = None,
) -> tuple[Node, bool]:
    """Create the node or update its optional fields; returns ``(node, created)``."""
    row = await db.fetchrow(UPSERT_NODE_SQL, identifier, identifier_type, display_name, gpu_type, region)
    assert row is not None
    return _node(row), bool(row["created"])


async def assign_node(db: Executor, user_id: UUID, node_id: UUID, assigned_by: UUID | None) -> bool:
    """Link a node to a user; ``False`` when it already was (idempotent)."""
    return await db.fetchval(ASSIGN_NODE_SQL, user_id, node_id, assigned_by) is not None


async def unassign_node(db: Executor, user_id: UUID, node_id: UUID) -> bool:
    return await db.fetchval(UNASSIGN_NODE_SQL, user_id, node_id) is not None


async def get_node_by_identifier(db: Executor, identifier: str) -> Node | None:
    row = await db.fetchrow(GET_NODE_BY_IDENTIFIER_SQL, identifier)
    return None if row is None else _node(row)


async def get_node(db: Executor, node_id: UUID) -> Node | None:
    row = await db.fetchrow(GET_NODE_SQL, node_id)
    return None if row is None else _node(row)


async def list_user_nodes(db: Executor, user_id: UUID) -> list[Node]:
    return [_node(r) for r in await db.fetch(LIST_USER_NODES_SQL, user_id)]
