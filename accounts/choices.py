from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does in the system; decides what they see (see visible_to methods)."""

    MEMBER = "member", _("Member")
    COMMITTEE = "committee", _("Committee staff")
    UNIT_HANDLER = "unit_handler", _("Unit handler")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    LEADER = "leader", _("Leadership")


STAFF_ROLES = {Role.COMMITTEE, Role.UNIT_HANDLER, Role.UNIT_LEADER, Role.LEADER}
UNIT_ROLES = {Role.UNIT_HANDLER, Role.UNIT_LEADER}
