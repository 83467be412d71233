"""GET /api/v1/gallery: the public gallery as JSON, by the same rules as its pages."""

from flask import Blueprint, Response, url_for
from pydantic import BaseModel, Field

from workshop.api.spec import OutModel, one_of, operation
from workshop.gallery import services
from workshop.lessons.models import Topic
from workshop.web import PUBLIC_COPY_CACHE

ThemeName = one_of(Topic)

bp = Blueprint("gallery_api", __name__)


@bp.after_request
def revalidate(response: Response) -> Response:
    # As the gallery's pages: no cache may go on listing a photo after its withdrawal.
    response.headers.setdefault("Cache-Control", PUBLIC_COPY_CACHE)
    return response


class GalleryQuery(BaseModel):
    theme: ThemeName | None = None
    month: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$",
                              description="Published in this month, like 2026-11.")
    cursor: str | None = Field(default=None, max_length=200,
                               description="next from the previous page.")
    limit: int | None = Field(default=None, ge=1, le=100)


class GalleryItem(OutModel):
    id: str = Field(description="The photo's public id.")
    caption: str
    credit: str = Field(description="The chosen name, or Anonymous.")
    theme: ThemeName | None
    page_url: str
    thumb_url: str
    large_url: str


class GalleryPageOut(OutModel):
    items: list[GalleryItem]
    next: str | None


@bp.get("/gallery")
@operation("The public gallery, newest first (no token needed)", tag="gallery",
           query=GalleryQuery, response=GalleryPageOut, public=True)
def gallery(query: GalleryQuery):
    page = services.gallery_page(query.theme, query.month, query.cursor,
                                 query.limit or services.PAGE_SIZE)
    return {
        "items": [{
            "id": p.uuid, "caption": p.caption, "credit": p.credit_name or "Anonymous",
            "theme": p.theme.value if p.theme else None,
            "page_url": url_for("gallery.photo", photo_uuid=p.uuid),
            "thumb_url": url_for("gallery.photo_file", photo_uuid=p.uuid, kind="thumb"),
            "large_url": url_for("gallery.photo_file", photo_uuid=p.uuid, kind="large"),
        } for p in page.photos],
        "next": page.next_cursor,
    }
