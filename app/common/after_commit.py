"""Work tied to the outcome of the request's database transaction.

Some effects must not happen before the rows that describe them are committed:
a certificate file moved into place, a background job sent to its worker. Each
is registered with :func:`on_outcome`; the ``commit`` action runs once the
outermost transaction commits, the ``rollback`` action when the transaction, or
the savepoint that was current at registration, rolls back, or when the session
closes without a commit. A released savepoint hands its actions to the
enclosing transaction. Actions run in the order they were registered.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

from app.extensions import db

_PENDING_KEY = "lentera_on_outcome"


@dataclass(eq=False)
class _Pending:
    owner: SessionTransaction = field(repr=False)
    commit: Callable[[], None]
    rollback: Callable[[], None] | None


def on_outcome(session: Session | scoped_session, *, commit: Callable[[], None],
               rollback: Callable[[], None] | None = None) -> None:
    """Run ``commit()`` after the outermost commit of ``session``, ``rollback()`` if the work is rolled back.

    The owner is the savepoint current now, else the transaction (begun if none is).
    The callables must not raise (they run inside SQLAlchemy's session events): log instead.
    """
    if isinstance(session, scoped_session):
        session = session()
    owner = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING_KEY, []).append(_Pending(owner, commit, rollback))


def _alive(transaction: SessionTransaction | None) -> bool:
    while transaction is not None:
        if not transaction.is_active:
            return False
        transaction = transaction.parent
    return True


def _after_commit(session: Session) -> None:
    pending = session.info.get(_PENDING_KEY)
    if not pending:
        return
    nested = session.get_nested_transaction()
    if nested is not None:
        # A savepoint was released: its actions now belong to the enclosing transaction.
        for item in pending:
            if item.owner is nested:
                item.owner = nested.parent
        return
    session.info[_PENDING_KEY] = []
    for item in pending:
        item.commit()


def _after_any_rollback(session: Session, previous_transaction=None) -> None:
    pending = session.info.get(_PENDING_KEY)
    if not pending:
        return
    keep = []
    for item in pending:
        if _alive(item.owner):
            keep.append(item)
        elif item.rollback is not None:
            item.rollback()
    session.info[_PENDING_KEY] = keep


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit (e.g. session.close()).
    if transaction.parent is not None or transaction.nested:
        return
    pending = session.info.get(_PENDING_KEY)
    if not pending:
        return
    session.info[_PENDING_KEY] = []
    for item in pending:
        if item.rollback is not None:
            item.rollback()


event.listen(db.session, "after_commit", _after_commit)
event.listen(db.session, "after_rollback", _after_any_rollback)
event.listen(db.session, "after_soft_rollback", _after_any_rollback)
event.listen(db.session, "after_transaction_end", _after_transaction_end)
