"""The WSGI entry point: gunicorn wsgi:app"""

from workshop import create_app
from workshop.startup import warn_before_serving

app = create_app()
# gunicorn runs several processes of this app: say at once what will not hold across them.
warn_before_serving(app)
