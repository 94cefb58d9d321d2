"""Outbox → chat: the delivery worker (:mod:`.worker`) and the platform senders behind one interface
(:mod:`.base`)."""
