"""The daily digest: each user's nodes, last epoch's earnings, the day's alerts and the network's
schedule, once a day at the hour they chose (``/digest``)."""
