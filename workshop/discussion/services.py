"""The rules for reflections, sharing with the group, the session slideshow and themes.

Answers are private to the photo's owner and the workers of its site: get_photo already
answers anyone else with 404, and only the owner writes them.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from workshop.audit.services import record
from workshop.auth.models import User
from workshop.auth.services import require_staff
from workshop.db import flush_or_conflict, get_row, utcnow
from workshop.discussion.models import (
    DEFAULT_QUESTIONS,
    PhotoTheme,
    Reflection,
    SiteQuestions,
    Theme,
)
from workshop.errors import Conflict, Invalid, NotFound, typed_text
from workshop.extensions import db
from workshop.photos import owner as photo_owner
from workshop.photos.models import Photo
from workshop.photos.services import CAPTION_LIMIT
from workshop.programme.models import Session

QUESTION_LIMIT = 200
ANSWER_LIMIT = 1000
TITLE_LIMIT = 80
THEME_LIMIT = 60


# --- the questions ----------------------------------------------------------------------


def questions(site_id: int | None) -> list[str]:
    """The site's wording of the questions, or the usual ones."""
    own = db.session.get(SiteQuestions, site_id) if site_id is not None else None
    return list(own.wordings) if own else list(DEFAULT_QUESTIONS)


def set_questions(actor: User, site_id: int | None, wordings: list[str]) -> list[str]:
    """A worker rewords the site's questions; an empty one goes back to the usual words."""
    require_staff(actor)
    if site_id is None or not (actor.is_admin or actor.site_id == site_id):
        raise NotFound("There is no such site.")
    if len(wordings) != len(DEFAULT_QUESTIONS):
        raise Invalid.field("questions", f"Give {len(DEFAULT_QUESTIONS)} questions.")
    cleaned = [typed_text(text, f"question_{i + 1}", QUESTION_LIMIT) or DEFAULT_QUESTIONS[i]
               for i, text in enumerate(wordings)]
    own = db.session.get(SiteQuestions, site_id)
    if own is None:
        own = SiteQuestions(site_id=site_id, wordings=cleaned)
        db.session.add(own)
    own.wordings, own.updated_at = cleaned, utcnow()
    flush_or_conflict("Someone changed these questions at the same moment. Try again.")
    record(actor, "discussion.questions_changed", "site", site_id, site_id=site_id)
    return cleaned


# --- reflections ------------------------------------------------------------------------


def reflection_of(photo: Photo) -> Reflection | None:
    return db.session.get(Reflection, photo.id)


def save_reflection(actor: User, photo: Photo, *, answers: list[str | None], title: str = "",
                    shared_with_group: bool = False, answers_shared: bool = False,
                    name_shown: bool = False) -> Reflection:
    """The owner's answers (each optional), a title, and how far they share the photo."""
    # Workers read the answers; only the owner writes them, in their own words.
    photo_owner.require_owner(actor, photo)
    count = len(DEFAULT_QUESTIONS)
    if len(answers) > count:
        raise Invalid.field("answers", f"There are only {count} questions.")
    cleaned = [typed_text(a, f"answer_{i + 1}", ANSWER_LIMIT) for i, a in enumerate(answers)]
    cleaned += [""] * (count - len(cleaned))
    reflection = reflection_of(photo)
    if reflection is None:
        reflection = Reflection(photo_id=photo.id)
        db.session.add(reflection)
    reflection.title = typed_text(title, "title", TITLE_LIMIT)
    reflection.answers = cleaned
    reflection.shared_with_group = shared_with_group
    reflection.answers_shared = answers_shared
    reflection.name_shown = name_shown
    reflection.updated_at = utcnow()
    flush_or_conflict("You saved this from two places at once. Look again and save once more.")
    record(actor, "photo.reflection_saved", "photo", photo.id, site_id=photo.site_id,
           answered=sum(1 for a in cleaned if a), shared_with_group=shared_with_group)
    return reflection


def caption_from_answer(actor: User, photo: Photo, number: int) -> Photo:
    """Make one of the owner's answers the photo's caption (while it may still change)."""
    photo_owner.require_owner(actor, photo)
    reflection = reflection_of(photo)
    answers = reflection.answers if reflection else []
    if not 1 <= number <= len(answers) or not answers[number - 1]:
        raise Invalid.field("caption", "That answer is empty. Write it first, then use it.")
    answer = answers[number - 1]
    if len(answer) > CAPTION_LIMIT:
        raise Invalid.field("caption", f"A caption can have up to {CAPTION_LIMIT} "
                                       "characters. Make the answer shorter first.")
    return photo_owner.change_caption(actor, photo, answer)


# --- the session slideshow --------------------------------------------------------------


@dataclass
class Slide:
    photo: Photo
    # Their display name, only when they chose to show it.
    name: str | None
    # Their answers by question, only when they chose to share them.
    answers: list[str]


def slides(actor: User, session: Session) -> list[Slide]:
    """The photos of a session that their owners shared with the group, oldest first."""
    require_staff(actor)
    found = db.session.execute(
        select(Photo, Reflection).join(Reflection, Reflection.photo_id == Photo.id)
        .where(Photo.session_id == session.id, Reflection.shared_with_group.is_(True),
               Photo.site_id == session.site_id)
        # The owners' names in one query, not one per slide.
        .options(selectinload(Photo.owner))
        .order_by(Photo.created_at, Photo.id)).all()
    return [Slide(photo, photo.owner.display_name if reflection.name_shown else None,
                  reflection.answers if reflection.answers_shared else [])
            for photo, reflection in found]


# --- themes -----------------------------------------------------------------------------


def visible_themes(actor: User) -> Select[Theme]:
    query = select(Theme).order_by(func.lower(Theme.name), Theme.id)
    if not actor.is_admin:
        query = query.where(Theme.site_id == actor.site_id)
    return query


def get_theme(actor: User, theme_id: int) -> Theme:
    require_staff(actor)
    theme = get_row(Theme, theme_id)
    if theme is None or not (actor.is_admin or theme.site_id == actor.site_id):
        raise NotFound("There is no such theme.")
    return theme


def _named(site_id: int, name: str) -> Theme | None:
    return db.session.scalar(select(Theme).where(
        Theme.site_id == site_id, func.lower(Theme.name) == name.lower()))


def tag(actor: User, photo: Photo, name: str | None) -> Theme:
    """Tag a photo with a theme of its site, made now if the group names a new one."""
    require_staff(actor)
    name = typed_text(name, "name", THEME_LIMIT, "Write the theme's name.")
    theme = _named(photo.site_id, name)
    if theme is None:
        theme = Theme(site_id=photo.site_id, name=name)
        db.session.add(theme)
        flush_or_conflict("Someone named this theme at the same moment. Try again.")
    if db.session.get(PhotoTheme, (theme.id, photo.id)) is None:
        db.session.add(PhotoTheme(theme_id=theme.id, photo_id=photo.id))
        flush_or_conflict("This photo was tagged at the same moment. Look again.")
        record(actor, "photo.theme_tagged", "photo", photo.id, site_id=photo.site_id,
               theme=theme.name)
    return theme


def untag(actor: User, photo: Photo, theme: Theme) -> None:
    require_staff(actor)
    link = db.session.get(PhotoTheme, (theme.id, photo.id))
    if link is not None:
        db.session.delete(link)
        db.session.flush()
        record(actor, "photo.theme_untagged", "photo", photo.id, site_id=photo.site_id,
               theme=theme.name)


def themes_of(photo: Photo) -> list[Theme]:
    return themes_by_photo([photo])[photo.id]


def themes_by_photo(photos: Iterable[Photo]) -> dict[int, list[Theme]]:
    """Each photo's themes by its id, by name: one query for a whole slideshow."""
    found: dict[int, list[Theme]] = {photo.id: [] for photo in photos}
    if found:
        rows = db.session.execute(
            select(PhotoTheme.photo_id, Theme).join(PhotoTheme, PhotoTheme.theme_id == Theme.id)
            .where(PhotoTheme.photo_id.in_(list(found))).order_by(func.lower(Theme.name)))
        for photo_id, theme in rows:
            found[photo_id].append(theme)
    return found


def rename(actor: User, theme: Theme, name: str | None) -> Theme:
    """The group renames a theme; a name another theme has is refused, not merged."""
    require_staff(actor)
    name = typed_text(name, "name", THEME_LIMIT, "Write the theme's new name.")
    other = _named(theme.site_id, name)
    if other is not None and other.id != theme.id:
        raise Conflict(f"There is a theme called {other.name} already.")
    old, theme.name = theme.name, name
    flush_or_conflict("Someone renamed this theme at the same moment. Look again.")
    record(actor, "discussion.theme_renamed", "theme", theme.id, site_id=theme.site_id,
           old=old, new=name)
    return theme


def board(actor: User) -> list[tuple[Theme, list[Photo]]]:
    """Each theme the actor can see, with its photos."""
    require_staff(actor)
    themes = db.session.scalars(visible_themes(actor).options(selectinload(Theme.photos)))
    # A photo whose owner moved to another site since stays with that site's workers.
    return [(theme, [p for p in theme.photos if p.site_id == theme.site_id])
            for theme in themes]
