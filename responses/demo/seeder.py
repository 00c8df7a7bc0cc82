"""The 福田区 demo data, built around the real case 第2023160号: the steps of ``manage.py seed_demo``.

Idempotent: reference rows are fetched or created by their natural keys, and each demo proposal is
a story created only when no proposal with its title exists in its session (the marker). A second
run creates nothing.

Every step of every story goes through the workflow services the pages call, as the demo user whose
step it is, so statuses, events, notifications and the fields the services keep are what real use
produces. Steps run now, in an order that is legal now, and are then moved back to their demo dates
(``responses.demo.clock``). Dates are relative to today, so deadlines are live: one assignment is
overdue, one due in a few days, and so on.
"""

from __future__ import annotations

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from proposals.models import Event, Notification, Proposal
from responses.demo import handling_stories, intake_stories, reply_stories, review_stories
from responses.demo.clock import Clock, open_for_seeding, settle_notifications
from responses.demo.people import ReferenceData
from responses.demo.steps import Steps

# In the order the committee accepted them (立案), so that the proposal numbers it gives run with the dates.
CURRENT_SESSION_STORIES = [
    intake_stories.draft,
    intake_stories.submitted,
    intake_stories.paper_submitted,
    intake_stories.joint_draft,
    intake_stories.rejected,
    intake_stories.withdrawn,
    reply_stories.rehandled,
    handling_stories.overdue,
    reply_stories.closed,
    handling_stories.due_soon,
    reply_stories.replied,
    handling_stories.awaiting_signoff,
    handling_stories.cohandled,
    handling_stories.returned,
    handling_stories.key,
    intake_stories.accepted,
    handling_stories.return_requested,
    intake_stories.merged_and_assigned,
]

# The previous session, with countersigning (会签) and the committee's review of replies (督办审核) on.
PREVIOUS_SESSION_STORIES = [review_stories.under_review, review_stories.countersigning]


class Seeder(ReferenceData, Steps):
    def __init__(self, *, reset_passwords: bool = False) -> None:
        self.reset_passwords = reset_passwords
        self.log: list[str] = []
        self.today = timezone.localdate()
        self.clock = Clock()
        self.made: list[int] = []

    def run(self) -> None:
        """Everything, inside the caller's transaction."""
        first_notification = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
        self.sessions()
        self.categories()
        self.units()
        self.users()
        with open_for_seeding(self.old):
            reply_stories.case_2023160(self)
        with open_for_seeding(self.previous):
            for story in PREVIOUS_SESSION_STORIES:
                story(self)
        with open_for_seeding(self.current):
            for story in CURRENT_SESSION_STORIES:
                story(self)
        self.clock.backdate()
        self.touch()
        settle_notifications(first_notification, self.today)

    def touch(self) -> None:
        """A proposal's "last changed" is its last step, not the time of seeding."""
        last = Event.objects.filter(proposal=OuterRef("pk")).order_by("-created_at", "-pk").values("created_at")[:1]
        Proposal.objects.filter(pk__in=self.made).update(updated_at=Subquery(last))
