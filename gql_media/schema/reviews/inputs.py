"""Input types of the review operations."""

import strawberry
from strawberry.file_uploads import Upload

from gql_media.schema.reviews.enums import AnnotationShape
from gql_media.services.reviews.annotations import NewAnnotation
from gql_media.services.reviews.validation import Geometry
from gql_media.services.reviews.versions import Placement


@strawberry.input(description="Which task a version goes on.")
class PlaceAssetOnTaskInput:
    project: str = strawberry.field(description="The project's code, e.g. SWA.")
    task: str = strawberry.field(description="e.g. ep01_sq010_sh020_lighting.")
    description: str | None = strawberry.field(
        default=None, description="What changed in this version (<= 4,000 chars)."
    )
    author: str | None = strawberry.field(
        default=None, description="Defaults to the token's principal."
    )

    def to_domain(self, principal: str) -> Placement:
        return Placement(
            project=self.project,
            task=self.task,
            author=self.author if self.author is not None else principal,
            description=self.description or "",
        ).validate()


@strawberry.input(description="A new version from exactly one of file, url, assetId.")
class CreateAssetVersionInput(PlaceAssetOnTaskInput):
    file: Upload | None = strawberry.field(
        default=None, description="A multipart upload (send GraphQL-Require-Preflight)."
    )
    url: str | None = strawberry.field(default=None, description="An http(s) URL.")
    asset_id: strawberry.ID | None = strawberry.field(
        default=None, description="An existing asset on no task yet."
    )
    name: str | None = strawberry.field(default=None, description="The asset's name.")


@strawberry.input(description="A point in the frame, in fractions (0..1).")
class PointInput:
    x: float
    y: float


@strawberry.input(description="What is drawn; POINT when left out.")
class ShapeInput:
    kind: AnnotationShape = AnnotationShape.POINT
    width: float | None = strawberry.field(
        default=None, description="A rectangle's width (0..1 of the frame)."
    )
    height: float | None = strawberry.field(
        default=None, description="A rectangle's height (0..1 of the frame)."
    )
    points: list[PointInput] | None = strawberry.field(
        default=None, description="A freehand path: 2 to 1,000 points."
    )


@strawberry.input(description="An annotation; a reply may leave out time and place.")
class AddAnnotationInput:
    text: str
    at_seconds: float | None = strawberry.field(
        default=None, description="Within the media's duration (0 for an image)."
    )
    frame: int | None = strawberry.field(
        default=None, description="Derived from the frame rate when left out."
    )
    position: PointInput | None = strawberry.field(
        default=None, description="Where in the frame (the shape's anchor)."
    )
    shape: ShapeInput | None = None
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Reply to this annotation."
    )

    def to_domain(self) -> NewAnnotation:
        geometry = None
        if self.position is not None:
            shape = self.shape or ShapeInput()
            geometry = Geometry(
                shape=shape.kind,
                x=self.position.x,
                y=self.position.y,
                width=shape.width,
                height=shape.height,
                points=(
                    [[p.x, p.y] for p in shape.points]
                    if shape.points is not None
                    else None
                ),
            )
        return NewAnnotation(
            text=self.text,
            at_seconds=self.at_seconds,
            frame=self.frame,
            geometry=geometry,
            parent_id=str(self.parent_id) if self.parent_id is not None else None,
        )
