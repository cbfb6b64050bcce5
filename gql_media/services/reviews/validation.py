"""Checks on review input: project and task codes, notes, annotation geometry."""

import math
import re
from dataclasses import dataclass

from gql_media.errors import InvalidInput
from gql_media.models import AnnotationShape

# Codes become parts of names people type and paths tools build: letters, digits,
# and _ - . only, so "../x" or "a/b" can never reach a path or a channel name.
PROJECT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
TASK_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
MAX_TEXT = 4000
MAX_PATH_POINTS = 1000


def check_project(project: str, field: str = "project") -> str:
    if not isinstance(project, str) or not PROJECT_RE.fullmatch(project):
        raise InvalidInput(
            "project must be 1-32 letters, digits, _ or - (e.g. SWA)", field=field
        )
    return project


def check_task(task: str, field: str = "task") -> str:
    if not isinstance(task, str) or not TASK_RE.fullmatch(task) or ".." in task:
        raise InvalidInput(
            "task must be 1-128 letters, digits, _, - or . with no path separators "
            "(e.g. ep01_sq010_sh020_lighting)",
            field=field,
        )
    return task


def check_text(text: str | None, field: str, *, required: bool = False) -> str:
    """Free text (a note, a description, an annotation) up to 4,000 characters."""
    value = (text or "").strip()
    if required and not value:
        raise InvalidInput(f"{field} must not be empty", field=field)
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{field} is longer than {MAX_TEXT} characters", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{field} must not contain NUL", field=field)
    return value


def _fraction(value: float, field: str) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value)):
        raise InvalidInput(f"{field} must be a number", field=field)
    if not 0.0 <= value <= 1.0:
        raise InvalidInput(f"{field} must lie in 0..1 of the frame", field=field)
    return float(value)


@dataclass(frozen=True)
class Geometry:
    """Where an annotation is drawn, in fractions of the frame."""

    shape: AnnotationShape
    x: float
    y: float
    width: float | None = None
    height: float | None = None
    points: list[list[float]] | None = None

    def validate(self) -> "Geometry":
        _fraction(self.x, "position.x")
        _fraction(self.y, "position.y")
        if self.shape is AnnotationShape.RECTANGLE:
            if self.width is None or self.height is None:
                raise InvalidInput(
                    "a rectangle needs width and height", field="shape.width"
                )
            w = _fraction(self.width, "shape.width")
            h = _fraction(self.height, "shape.height")
            if self.x + w > 1.0 + 1e-9 or self.y + h > 1.0 + 1e-9:
                raise InvalidInput("the rectangle leaves the frame", field="shape")
        elif self.width is not None or self.height is not None:
            raise InvalidInput("only a rectangle has width and height", field="shape")
        if self.shape is AnnotationShape.PATH:
            points = self.points or []
            if len(points) < 2:
                raise InvalidInput("a path needs at least 2 points", field="points")
            if len(points) > MAX_PATH_POINTS:
                raise InvalidInput(
                    f"a path has at most {MAX_PATH_POINTS} points", field="points"
                )
            for px, py in points:
                _fraction(px, "points.x")
                _fraction(py, "points.y")
        elif self.points:
            raise InvalidInput("only a path has points", field="points")
        return self


def check_time(
    at_seconds: float,
    frame: int | None,
    duration: float | None,
    fps: float | None,
) -> int:
    """The frame number at `at_seconds`, checked against the media's duration.

    Media without a duration (an image) has one moment: 0 s, frame 0. The frame
    is derived from the frame rate when not given; a given frame must lie inside
    the media.
    """
    if not (isinstance(at_seconds, int | float) and math.isfinite(at_seconds)):
        raise InvalidInput("atSeconds must be a number", field="atSeconds")
    length = duration or 0.0
    if not 0.0 <= at_seconds <= length:
        raise InvalidInput(
            f"atSeconds must lie within the media (0 to {length:.3f} s)",
            field="atSeconds",
        )
    rate = fps or 0.0
    last_frame = max(math.ceil(length * rate) - 1, 0)
    if frame is None:
        # The small epsilon keeps 1.5 s at 24 fps on frame 36, not 35.999...
        return min(math.floor(at_seconds * rate + 1e-6), last_frame)
    if not 0 <= frame <= last_frame:
        raise InvalidInput(
            f"frame must lie within the media (0 to {last_frame})", field="frame"
        )
    return frame
