"""The gallery's change counter, by which every process knows its cached pages are stale."""

from sqlalchemy import BigInteger, CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workshop.db import Model


class GalleryState(Model):
    """One row whose version goes up after every committed change the gallery could show."""

    __tablename__ = "gallery_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
