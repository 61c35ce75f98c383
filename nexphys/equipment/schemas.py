"""Request and response shapes of the equipment API: assets and their maintenance records.

Bodies declare types; the equipment services own the rules and their messages (a type the schema refuses is
reported together with the services' own findings, through their `clean_*` checks). Amounts travel as text
("1250.00") so no cent is lost to floating point; a body may send a number or text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from nexphys.equipment.models import AssetStatus
from nexphys.equipment.services import NAME_MAX, NOTES_MAX, PLACE_MAX, REASON_MAX, SHORT_MAX
from nexphys.web.schemas import Body, Day, Instant, PageQuery, Query, Shape, Text

Status = Literal[AssetStatus.IN_SERVICE, AssetStatus.NEEDS_ATTENTION, AssetStatus.OUT_OF_SERVICE,
                 AssetStatus.RETIRED]
Amount = str | int | float


def _limited(limit: int, default: Any = None, description: str | None = None) -> Any:
    """A field whose limit the service checks (and the document states)."""
    return Field(default, description=description, json_schema_extra={"maxLength": limit})


def _amount() -> Any:
    return Field(None, description="An amount in the studio's currency, at most two decimals (e.g. \"89.90\")")


class AssetsQuery(PageQuery):
    q: str | None = Field(None, description="Text in the name, make, model, serial number or location")
    category_id: int | None = None
    status: Status | None = None
    room_id: int | None = None


class Category(Shape):
    id: int
    name: str


class RoomBrief(Shape):
    id: int
    name: str


class OpenProblem(Shape):
    id: int
    text: str
    reported_at: Instant
    photo_url: str | None


class Schedule(Shape):
    id: int
    title: str
    every_days: int | None
    every_uses: int | None
    responsible_id: int | None
    last_done_on: Day | None
    due_on: Day | None = Field(description="When it is next due (null for a schedule by uses)")


class Asset(Shape):
    """A piece of equipment; `cost` is in `currency`, the studio's."""

    id: int
    name: str
    category: Category | None
    make: str
    model: str
    serial: str
    room: RoomBrief | None
    location: str
    purchased_on: Day | None
    cost: str | None
    currency: str
    status: Status
    photo_url: str | None
    notes: str
    report_url: str = Field(description="The report-a-problem page its QR label opens")
    open_problems: int
    created_at: Instant
    updated_at: Instant


class Usage(Shape):
    """How much the asset has been used: held classes in its room that needed its category."""

    classes: int = Field(description="Classes it served (held, not cancelled, already over)")
    since: Day = Field(description="Counted from this day (its purchase, else when it was added)")


class AssetDetail(Asset):
    problems: list[OpenProblem]
    schedules: list[Schedule]
    usage: Usage


class _AssetFields(Body):
    category: str | None = _limited(SHORT_MAX, description="A category's name (made if new), or null")
    make: str | None = _limited(SHORT_MAX)
    model: str | None = _limited(SHORT_MAX)
    serial: str | None = _limited(SHORT_MAX)
    room_id: int | None = Field(None, description="One of the studio's rooms, or null")
    location: str | None = _limited(PLACE_MAX, description="Where it is when not in a room")
    purchased_on: str | None = Field(None, description="YYYY-MM-DD, not in the future",
                                     json_schema_extra={"format": "date"})
    cost: Amount | None = _amount()
    notes: str | None = _limited(NOTES_MAX)
    status_reason: str | None = _limited(REASON_MAX, description="Why the status is what it is (needed to change it)")


class NewAsset(_AssetFields):
    name: Text = _limited(NAME_MAX, ...)
    status: Status | None = Field(None, description="Default in_service")


class CategoryRef(Body):
    """A category as an answer shows it (a body sent back as it was read); its name is what counts."""

    id: int | None = None
    name: str = _limited(SHORT_MAX, ...)


class AssetChanges(_AssetFields):
    ignored = frozenset({"id", "currency", "photo_url", "report_url", "open_problems", "created_at", "updated_at",
                         "problems", "schedules", "room", "usage"})

    category: str | CategoryRef | None = Field(None, description="A category's name (made if new), or null")

    name: str | None = _limited(NAME_MAX)
    status: Status | None = Field(None, description="A change needs status_reason")

    def values(self) -> dict[str, Any]:
        """The fields sent; a category sent back as an object counts by its name."""
        values = super().values()
        if isinstance(self.category, CategoryRef):
            values["category"] = self.category.name
        return values


class MaintenanceRecord(Shape):
    id: int
    asset_id: int
    schedule_id: int | None
    done_on: Day
    by: int | None = Field(description="The staff member who logged it (null for an API key)")
    what: str
    cost: str | None
    attachment_urls: list[str]
    created_at: Instant


class NewMaintenanceRecord(Body):
    """Maintenance done (attachments are added on the asset's page)."""

    what: Text = _limited(NOTES_MAX, ...)
    done_on: str | None = Field(None, description="YYYY-MM-DD (default today), not in the future",
                                json_schema_extra={"format": "date"})
    cost: Amount | None = _amount()
    schedule_id: int | None = Field(None, description="The asset's schedule this answers (it then counts from done_on)")


class NewCategory(Body):
    name: Text = _limited(SHORT_MAX, ...)


class CategoryWithCount(Category):
    assets: int = Field(description="How many assets are of it")


class ProblemReport(Shape):
    id: int
    text: str
    status: Literal["open", "resolved"]
    reported_at: Instant
    reported_by: int | None
    photo_url: str | None
    resolved_at: Instant | None
    resolved_by: int | None


class ProblemsQuery(PageQuery):
    status: Literal["open", "resolved"] | None = Field(None, description="Only open or only resolved ones")


class NewProblem(Body):
    """A problem with the asset (a photo can be added from its report page)."""

    text: Text = _limited(NOTES_MAX, ...)


class ScheduleDetail(Schedule):
    starts_on: Day
    uses: int | None = Field(description="A use-based schedule's uses since it was last done (or started)")


class NewSchedule(Body):
    """Every N days or after N uses (one of them)."""

    title: Text = _limited(NAME_MAX, ...)
    every_days: int | None = None
    every_uses: int | None = None
    responsible_id: int | None = Field(None, description="One of the studio's managers, or null")
    starts_on: str | None = Field(None, description="YYYY-MM-DD counted from (default today)",
                                  json_schema_extra={"format": "date"})


class ScheduleChanges(NewSchedule):
    ignored = frozenset({"id", "last_done_on", "due_on", "uses"})

    title: str | None = _limited(NAME_MAX)


class Requirement(Shape):
    category: Category
    quantity: int = Field(description="How many; per place booked when per_member")
    per_member: bool


class Requirements(Shape):
    """A class type's or a session's own requirements; a session's also shows what applies to it in effect."""

    items: list[Requirement]
    inherited: list[Requirement] | None = Field(None, description="A session's: its class type's requirements")


class RequirementIn(Body):
    ignored = frozenset({"id"})

    category: str | CategoryRef = Field(description="A category's name (made if new), or it as read")
    quantity: int = Field(description="0 to 1000 (0 only for a session: not needed this time)")
    per_member: bool = False


class RequirementsIn(Body):
    """The whole list (it replaces the one there): at most 10 lines, each category once."""

    ignored = frozenset({"inherited"})

    items: list[RequirementIn]

    def lines(self) -> list[dict[str, Any]]:
        return [{"category": i.category.name if isinstance(i.category, CategoryRef) else i.category,
                 "quantity": i.quantity, "per_member": i.per_member} for i in self.items]


class ShortfallsQuery(Query):
    from_: dt.date | None = Field(None, alias="from", description="The first studio-local day (default today)")
    to: dt.date | None = Field(None, description="The last day (default from + equipment_warning_days), at most "
                                                 "62 days after from")


class Shortfall(Shape):
    """A scheduled class that needs more of a category than its room has usable (in service or needs attention)."""

    class_id: int
    class_type: str
    starts_at: Instant
    room: RoomBrief
    category: Category
    needed: int
    available: int
    missing: int
    per_member: bool
    capacity: int
    booked: int
