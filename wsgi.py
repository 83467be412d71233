"""The WSGI entry point: gunicorn wsgi:app"""

from workshop import create_app

app = create_app()
