"""Platform senders behind one interface (:mod:`bot.alerts.delivery.base`)."""
