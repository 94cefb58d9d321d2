"""The data-access layer: the only place SQL lives.

Each module holds named queries (``*_SQL`` constants with ``$n`` parameters) and small async functions
that take a connection or pool and return typed records. Set-based: no query per node in a loop.
"""
