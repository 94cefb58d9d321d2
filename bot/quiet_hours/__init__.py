"""Quiet hours: non-urgent node notifications held during a user's window and delivered as one
message when it ends (``/quiet``); urgent ones are never held."""
