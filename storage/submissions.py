"""Submitted reports: the query every view of "where do the units stand" starts from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from storage import models as m


def latest_versions(*where: Any) -> Select[tuple[m.Submission]]:
    """The latest version of each unit's report for each round, among the submissions
    that match `where` (for example one round, or one unit)."""
    newest = (select(m.Submission.unit_id, m.Submission.round_id,
                     func.max(m.Submission.version).label("v"))
              .where(*where).group_by(m.Submission.unit_id, m.Submission.round_id).subquery())
    return select(m.Submission).join(newest, (m.Submission.unit_id == newest.c.unit_id)
                                      & (m.Submission.round_id == newest.c.round_id)
                                      & (m.Submission.version == newest.c.v))
