"""An ``__in`` lookup for integer columns that leaves out numbers no such column can hold.

A forged id such as 99999999999999999999 in a multiple-choice field (the filters' units, a
proposal's suggested units) reaches ``pk__in``; SQLite raises OverflowError on it, which was a
500 where the form should say "not one of the available choices". No row can have such an id,
so leaving it out changes no answer. Registered on IntegerField (and so its subclasses, primary
keys included) by ``accounts.apps``.
"""

from __future__ import annotations

from django.db.models.lookups import In


class InWithinRange(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
