"""What the schedule is planned from: class types, rooms and the staff who may teach.

Also the checks sessions and series share about them (an active class type, a room, an instructor, a capacity
that fits the room). Functions flush; the caller (request, CLI command, job) commits once. Values may be Python
objects (from the forms) or JSON values, so the pages and the API share one set of rules and messages.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import sqlalchemy as sa

from nexphys.audit.services import record
from nexphys.classes.errors import ScheduleInvalid, found
from nexphys.classes.models import ClassSeries, ClassSession, ClassType, Room, SessionStatus
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.members.models import User, UserStatus
from nexphys.roles.models import Role, RoleLevel
from nexphys.storage.services import discard, store_image
from nexphys.validation import FieldErrors, text, unknown_fields, whole_number
from nexphys.web.access import Principal

NAME_MAX = 80
DESCRIPTION_MAX = 2000
DURATION_MIN, DURATION_MAX = 5, 600
CAPACITY_MAX = 500
LEVELS = ("all", "beginner", "intermediate", "advanced")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
CLASS_TYPE_FIELDS = ("name", "description", "duration_minutes", "default_capacity", "color", "level")
ROOM_FIELDS = ("name", "capacity")
Row = TypeVar("Row", ClassType, Room)
PICTURE_CHANGED, PICTURE_REMOVED = "class_type.picture_changed", "class_type.picture_removed"


# --- checks shared by class types, sessions and series ----------------------------------------------

def duration(errors: FieldErrors, value: Any, field: str = "duration_minutes") -> int | None:
    """A class length in minutes (5–600)."""
    return whole_number(errors, field, value, DURATION_MIN, DURATION_MAX, "The duration (minutes)")


def capacity(errors: FieldErrors, value: Any, field: str = "capacity") -> int | None:
    """A number of places (0–500)."""
    return whole_number(errors, field, value, 0, CAPACITY_MAX, "The capacity")


def _name_taken(model: type[ClassType] | type[Room], name: str, exclude_id: int | None) -> bool:
    query = sa.select(model.id).where(sa.func.lower(model.name) == name.lower())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def _unique_name(errors: FieldErrors, values: dict[str, Any], model: type[ClassType] | type[Room],
                 current: ClassType | Room | None, what: str) -> str | None:
    name = text(errors, "name", values.get("name"), NAME_MAX, required=True)
    if name and _name_taken(model, name, current.id if current else None):
        errors.add("name", f"There is already a {what} called “{name}”.")
    return name


def _added(row: Row) -> Row:
    db.session.add(row)
    db.session.flush()
    return row


def _assigned(row: ClassType | Room, cleaned: dict[str, Any]) -> bool:
    """Set the cleaned values on a row; returns whether any differed."""
    changed = False
    for name, value in cleaned.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    db.session.flush()
    return changed


# --- class types ------------------------------------------------------------------------------------

def list_class_types(include_archived: bool = False) -> list[ClassType]:
    """Class types by name; archived ones only when asked for."""
    query = sa.select(ClassType).order_by(sa.func.lower(ClassType.name))
    if not include_archived:
        query = query.where(ClassType.archived_at.is_(None))
    return list(db.session.scalars(query))


def get_class_type(type_id: int) -> ClassType:
    """The class type with this id (archived ones too), or ScheduleNotFound."""
    return found(db.session.get(ClassType, type_id), "class type")


def _choice(values: dict[str, Any], name: str, default: str, creating: bool) -> Any:
    """The value given; a blank one means the default when creating."""
    value = values.get(name)
    return default if creating and value in (None, "") else value


def clean_class_type(values: dict[str, Any], current: ClassType | None = None) -> dict[str, Any]:
    """Validate class type fields; with `current`, only the fields given are checked (a partial update)."""
    errors = FieldErrors()
    cleaned: dict[str, Any] = {}
    given = set(values) if current is not None else set(CLASS_TYPE_FIELDS)
    unknown_fields(errors, values, CLASS_TYPE_FIELDS)
    if "name" in given:
        cleaned["name"] = _unique_name(errors, values, ClassType, current, "class type")
    if "description" in given:
        cleaned["description"] = text(errors, "description", values.get("description"), DESCRIPTION_MAX)
    if "duration_minutes" in given:
        cleaned["duration_minutes"] = duration(errors, values.get("duration_minutes"))
    if "default_capacity" in given:
        cleaned["default_capacity"] = capacity(errors, values.get("default_capacity"), "default_capacity")
    if "color" in given:
        color = _choice(values, "color", "#2563eb", creating=current is None)
        if not isinstance(color, str) or not COLOR_PATTERN.match(color.strip()):
            errors.add("color", "Use a colour such as #2563eb.")
        else:
            cleaned["color"] = color.strip().lower()
    if "level" in given:
        level = _choice(values, "level", "all", creating=current is None)
        if level not in LEVELS:
            errors.add("level", f"Choose one of: {', '.join(LEVELS)}.")
        else:
            cleaned["level"] = level
    errors.raise_if_any(ScheduleInvalid)
    return cleaned


def create_class_type(values: dict[str, Any]) -> ClassType:
    """A new class type (name unique regardless of case, duration 5–600 min, capacity 0–500, #rrggbb)."""
    return _added(ClassType(**clean_class_type(values)))


def update_class_type(class_type: ClassType, values: dict[str, Any]) -> bool:
    """Change the fields given; returns whether anything changed. Existing sessions keep their own times."""
    return _assigned(class_type, clean_class_type(values, current=class_type))


def set_class_type_picture(class_type: ClassType, data: bytes | None, actor: Principal) -> bool:
    """A new picture for the type (`data`), or none (None); the old one is deleted. ImageRefused says why not."""
    old = class_type.image_key
    if data is None and old is None:
        return False
    class_type.image_key = store_image(data, "class_type_image", actor, f"class_type:{class_type.id}").key \
        if data is not None else None
    discard(old)
    db.session.flush()
    record(PICTURE_CHANGED if data is not None else PICTURE_REMOVED, actor.label, actor.person_id,
           target=f"class_type:{class_type.id}", details={"name": class_type.name, "key": class_type.image_key})
    return True


def class_type_in_use(class_type: ClassType) -> bool:
    """Whether sessions or series refer to this type (it is then archived rather than deleted)."""
    used = sa.union_all(
        sa.select(ClassSession.id).where(ClassSession.class_type_id == class_type.id).limit(1),
        sa.select(ClassSeries.id).where(ClassSeries.class_type_id == class_type.id).limit(1))
    return db.session.execute(used).first() is not None


def delete_class_type(class_type: ClassType) -> str:
    """Delete an unused type; archive one with sessions behind it (history keeps its name). Returns
    "deleted" or "archived". Archived types can no longer be chosen for new sessions or series."""
    if class_type_in_use(class_type):
        if class_type.archived_at is None:
            class_type.archived_at = utcnow()
        db.session.flush()
        return "archived"
    db.session.delete(class_type)
    db.session.flush()
    return "deleted"


def restore_class_type(class_type: ClassType) -> None:
    """Bring an archived type back into use."""
    class_type.archived_at = None
    db.session.flush()


def active_class_type(errors: FieldErrors, type_id: int | None, field: str = "class_type_id") -> ClassType | None:
    """The chosen class type, if it is one of the studio's current (not archived) ones."""
    if type_id is None:
        errors.add(field, "Choose a class type.")
        return None
    class_type = db.session.get(ClassType, type_id)
    if class_type is None or class_type.archived_at is not None:
        errors.add(field, "Choose one of the studio's current class types.")
        return None
    return class_type


# --- rooms ------------------------------------------------------------------------------------------

def list_rooms() -> list[Room]:
    """The studio's rooms by name."""
    return list(db.session.scalars(sa.select(Room).order_by(sa.func.lower(Room.name))))


def get_room(room_id: int) -> Room:
    """The room with this id, or ScheduleNotFound."""
    return found(db.session.get(Room, room_id), "room")


def clean_room(values: dict[str, Any], current: Room | None = None) -> dict[str, Any]:
    """Validate a room: a unique name (regardless of case) and a capacity of 1–500."""
    errors = FieldErrors()
    cleaned: dict[str, Any] = {}
    given = set(values) if current is not None else set(ROOM_FIELDS)
    if "name" in given:
        cleaned["name"] = _unique_name(errors, values, Room, current, "room")
    if "capacity" in given:
        cleaned["capacity"] = whole_number(errors, "capacity", values.get("capacity"), 1, CAPACITY_MAX,
                                           "The room's capacity")
    if current is not None and cleaned.get("capacity") and not errors:
        _check_upcoming_fit(errors, current, cleaned["capacity"])
    errors.raise_if_any(ScheduleInvalid)
    return cleaned


def _check_upcoming_fit(errors: FieldErrors, room: Room, new_capacity: int) -> None:
    """A room never shrinks below an upcoming class in it (staff lower those classes first)."""
    bigger = db.session.scalar(sa.select(sa.func.count()).select_from(ClassSession).where(
        ClassSession.room_id == room.id, ClassSession.status == SessionStatus.SCHEDULED,
        ClassSession.starts_at > utcnow(), ClassSession.capacity > new_capacity))
    if bigger:
        errors.add("capacity", f"{bigger} upcoming {'class has' if bigger == 1 else 'classes have'} more places "
                               f"than {new_capacity} in this room: lower their capacity first.")


def create_room(values: dict[str, Any]) -> Room:
    """A new room."""
    return _added(Room(**clean_room(values)))


def update_room(room: Room, values: dict[str, Any]) -> bool:
    """Rename a room or change its capacity (never below an upcoming class's capacity in it)."""
    return _assigned(room, clean_room(values, current=room))


def chosen_room(errors: FieldErrors, room_id: int | None) -> Room | None:
    """The chosen room (None: no room), if it is one of the studio's."""
    if room_id is None:
        return None
    room = db.session.get(Room, room_id)
    if room is None:
        errors.add("room_id", "Choose one of the studio's rooms.")
    return room


def check_room_capacity(errors: FieldErrors, capacity: int | None, room: Room | None) -> None:
    """A class never holds more people than its room."""
    if capacity is not None and room is not None and capacity > room.capacity:
        errors.add("capacity", f"{room.name} holds {room.capacity}: the capacity cannot be more than that.")


def default_capacity(class_type: ClassType, room: Room | None) -> int:
    """A new class's capacity when none is given: the type's, at most the room's."""
    return min(class_type.default_capacity, room.capacity) if room else class_type.default_capacity


# --- instructors ----------------------------------------------------------------------------------------

def _may_teach(user: User) -> bool:
    return user.role.level >= RoleLevel.MANAGER and user.status == UserStatus.ACTIVE


def instructors() -> list[User]:
    """Staff who may teach: active people whose role is at manager level or above (instructor, manager,
    owner and custom roles of that level)."""
    return list(db.session.scalars(
        sa.select(User).join(Role, Role.id == User.role_id)
        .where(Role.level >= RoleLevel.MANAGER, User.status == UserStatus.ACTIVE)
        .order_by(sa.func.lower(User.full_name))))


def chosen_instructor(errors: FieldErrors, user_id: int | None, keep: int | None = None) -> User | None:
    """The chosen instructor, if they may teach; `keep` is the current one (left in place even if no longer staff)."""
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or (user_id != keep and not _may_teach(user)):
        errors.add("instructor_id", "Choose one of the studio's instructors.")
        return None
    return user
