"""Counts the workflow keeps in tables of their own (``plan_unit_work``: ``zcps.unit_work``;
``archive_review_summary``: ``zcps.archive_summary``): the session collects the pairs of keys
whose row a transaction's changes move, and just before the commit they are recounted, each
row locked in one order so that two transactions never wait on each other. A rolled-back
transaction's pairs are forgotten (what they name may not even exist)."""
import sqlalchemy as sa
from sqlalchemy.orm import Session


class RecountedPairs:
    """The pairs of one summary table, recounted by ``recount(session, pairs)`` at commit."""

    def __init__(self, name: str, recount):
        self.key = f"zcps.kept_counts.{name}"
        self.recount = recount
        sa.event.listen(Session, "before_commit", self._before_commit)
        sa.event.listen(Session, "after_transaction_end", self._forget)

    def touched(self, session, first, second) -> None:
        if first is not None and second is not None:
            session.info.setdefault(self.key, set()).add((first, second))

    def _before_commit(self, session) -> None:
        session.flush()
        pairs = session.info.pop(self.key, None)
        if pairs:
            self.recount(session, pairs)

    def _forget(self, session, transaction) -> None:
        if transaction.parent is None:
            session.info.pop(self.key, None)
