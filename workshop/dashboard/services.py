"""What /readyz asks: can this process reach what it needs to serve requests now?"""

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from workshop.extensions import db, limiter
from workshop.photos.storage import StorageUnavailable, storage

log = logging.getLogger(__name__)


def readiness() -> dict[str, str]:
    """What this process cannot reach (the database, the rate-limit storage, the photo
    store), each as "not answering"; empty when ready. Details go to the log only."""
    failed = {}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.warning("readyz: the database did not answer: %s", error)
        failed["database"] = "not answering"
    finally:
        db.session.rollback()
    # limits' check() answers False rather than raising (and is True for memory://).
    if not limiter.storage.check():
        log.warning("readyz: the rate-limit storage did not answer")
        failed["rate_limits"] = "not answering"
    try:
        storage().backend.check()
    except StorageUnavailable as error:
        log.warning("readyz: the photo store failed: %s", error)
        failed["photo_store"] = "not answering"
    return failed
