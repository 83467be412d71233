"""A stateful fake Flickr that the real flickrapi client can talk to, with faults on demand.

The app's Flickr code has to cope with what the real service does on a bad day: error codes,
HTTP 5xx and 429, answers that never come although the upload went through, connections
that drop. This fake serves the few parts of Flickr the app uses, over real HTTP on
127.0.0.1, so that the real flickrapi client (and its OAuth signing) is under test too:

* OAuth 1.0a with HMAC-SHA1: request token, an authorise page, access token. Every signed
  request is verified with oauthlib's signature functions.
* REST (``/services/rest/``): flickr.test.login, flickr.auth.oauth.checkToken,
  flickr.photos.search, flickr.groups.pools.add, flickr.groups.pools.remove,
  flickr.photos.delete.
* Uploads (``/services/upload/``), stored in memory as :class:`FakePhoto`.
* Faults queued per REST method (or ``"upload"``, or ``"*"``) with :meth:`FakeFlickr.inject`.

Usage::

    with FakeFlickr(api_key="key", api_secret="secret") as server:
        server.inject("upload", Fault.delay(5))   # stores the photo, then answers too late
        ...

The server speaks HTTP/1.0, one request per connection: no keep-alive connection can then
outlive a test, sit in flickrapi's shared requests.Session, or pin a handler thread.
"""

from __future__ import annotations

import functools
import hmac
import itertools
import math
import re
import secrets
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import collapse_rfc2231_value
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit
from xml.etree import ElementTree as ET

from oauthlib.oauth1.rfc5849 import signature as oauth_signature

__all__ = ["Fault", "FakeFlickr", "FakePhoto"]

OAUTH_PATH = "/services/oauth"
REST_PATHS = ("/services/rest/", "/services/rest")
UPLOAD_PATHS = ("/services/upload/", "/services/upload")

# Flickr's permission levels, weakest first: each implies the ones before it.
PERMS = ("read", "write", "delete")

# The messages Flickr gives for its general error codes, used when a Fault names none.
ERROR_MESSAGES = {
    95: "SSL is required",
    96: "Invalid signature",
    97: "Missing signature",
    98: "Invalid auth token",
    99: "Insufficient permissions",
    100: "Invalid API Key (Key not found)",
    105: "Service currently unavailable",
    106: "Write operation failed",
    111: "Format not found",
    112: "Method not found",
    116: "Bad URL found",
}

# The first bytes of the file types the fake accepts, as Flickr sniffs them.
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")

FORM_TYPE = "application/x-www-form-urlencoded"
TEXT_TYPE = "text/plain; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"

# A tag is a quoted phrase or a run of non-spaces, as in Flickr's upload form.
TAG = re.compile(r'"([^"]*)"|(\S+)')
MACHINE_TAG = re.compile(r"[^\s:=]+:[^\s:=]+=.+")


@dataclass
class FakePhoto:
    """An uploaded photo, as the upload form's fields gave it.

    The settings keep the form's strings ("1", "0", ...), or Flickr's default for a field
    left out, so a test compares them with what the app sent.
    """

    id: str
    title: str
    description: str
    tags: list[str]
    machine_tags: list[str]
    is_public: str
    is_friend: str
    is_family: str
    safety_level: str
    content_type: str
    hidden: str
    data: bytes = field(repr=False)
    owner: str
    # time.monotonic() at upload; FakeFlickr.search_lag hides photos newer than that.
    uploaded_at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Fault:
    """One misbehaviour, made with the class methods below and queued with inject()."""

    kind: str  # "error", "http", "delay" or "drop"
    code: int = 0
    msg: str = ""
    status: int = 200
    body: str = ""
    retry_after: int | None = None
    seconds: float = 0.0
    after_effect: bool = True

    @classmethod
    def error(cls, code: int, msg: str | None = None, after_effect: bool = False) -> Fault:
        """Answer ``<rsp stat="fail"><err code=.. msg=../></rsp>``.

        The work is left undone, unless ``after_effect``: then it is done and the error
        answered anyway, as when Flickr fails after writing.
        """
        if msg is None:
            msg = ERROR_MESSAGES.get(code, f"Error {code}")
        return cls("error", code=code, msg=msg, after_effect=after_effect)

    @classmethod
    def http(cls, status: int, body: str = "", retry_after: int | None = None,
             after_effect: bool = False) -> Fault:
        """Answer this HTTP status; do the work first only if ``after_effect`` (a 502 from a
        gateway after the upload was stored, say).

        A 429 carries ``Retry-After`` (one second unless ``retry_after`` says otherwise), as
        rate limiting does; other statuses carry it only when ``retry_after`` is given.
        """
        if retry_after is None and status == 429:
            retry_after = 1
        return cls("http", status=status, body=body, retry_after=retry_after,
                   after_effect=after_effect)

    @classmethod
    def delay(cls, seconds: float, after_effect: bool = True) -> Fault:
        """Answer late: do the work first then wait (``after_effect``), or wait then do it.

        With a client timeout shorter than ``seconds`` and ``after_effect``, this is the
        uncertain failure: the client gives up, yet the photo was stored.
        """
        return cls("delay", seconds=seconds, after_effect=after_effect)

    @classmethod
    def drop(cls, after_effect: bool = True) -> Fault:
        """Close the connection without answering, after doing the work if ``after_effect``."""
        return cls("drop", after_effect=after_effect)


class _FlickrFail(Exception):
    """A Flickr error answer: HTTP 200 with stat="fail"."""

    def __init__(self, code: int, msg: str):
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg


class _OAuthProblem(Exception):
    """An OAuth failure, answered as Flickr does: a status and ``oauth_problem=...``."""

    def __init__(self, problem: str, status: int = 401):
        super().__init__(problem)
        self.problem = problem
        self.status = status


@dataclass
class _RequestToken:
    token: str
    secret: str
    callback: str
    perms: str | None = None
    verifier: str | None = None


@dataclass
class _AccessToken:
    token: str
    secret: str
    perms: str


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Request:
    method: str  # the HTTP method
    path: str
    query: str
    headers: Message
    body: bytes
    url: str  # scheme, host and path: what the client signed, without the query


def _xml_reply(rsp: ET.Element) -> _Reply:
    text = '<?xml version="1.0" encoding="utf-8" ?>\n' + ET.tostring(rsp, encoding="unicode")
    return _Reply(200, text.encode("utf-8"), XML_TYPE)


def _ok(*children: ET.Element) -> _Reply:
    rsp = ET.Element("rsp", stat="ok")
    rsp.extend(children)
    return _xml_reply(rsp)


def _fail(code: int, msg: str) -> _Reply:
    rsp = ET.Element("rsp", stat="fail")
    ET.SubElement(rsp, "err", code=str(code), msg=msg)
    return _xml_reply(rsp)


def _form_reply(values: dict[str, str], status: int = 200) -> _Reply:
    return _Reply(status, urlencode(values, quote_via=quote).encode("ascii"), TEXT_TYPE)


def _html_reply(title: str, content: str, status: int = 200) -> _Reply:
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} | Fake Flickr</title>
</head>
<body>
<main>
<h1>{escape(title)}</h1>
{content}
</main>
</body>
</html>
"""
    return _Reply(status, page.encode("utf-8"), HTML_TYPE)


def _text_element(tag: str, text: str, **attrib: str) -> ET.Element:
    element = ET.Element(tag, attrib)
    element.text = text
    return element


def parse_tags(raw: str) -> list[str]:
    """Flickr's tag syntax: space separated, a quoted phrase is one tag."""
    return [quoted or bare for quoted, bare in TAG.findall(raw) if quoted or bare]


def _normalise_machine_tag(tag: str) -> str:
    # A search may quote the value (ns:pred="value"); matching ignores case, as Flickr's
    # lowercasing of namespace and predicate would otherwise trip a careless caller.
    namespace_predicate, _, value = tag.strip().partition("=")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return f"{namespace_predicate}={value}".lower()


def _parse_multipart(content_type: str, body: bytes) -> tuple[list[tuple[str, str]],
                                                              dict[str, bytes]]:
    """The text fields (in order) and the files of a multipart/form-data body.

    Parsed by hand because the cgi module is gone from the standard library's future.
    """
    header = Message()
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str):
        raise ValueError("not multipart/form-data with a boundary")
    # Every delimiter but the first follows a CRLF; prefixing one makes them all alike.
    chunks = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1"))
    fields: list[tuple[str, str]] = []
    files: dict[str, bytes] = {}
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):  # the close delimiter
            break
        _padding, _, part = chunk.partition(b"\r\n")
        head, separator, content = part.partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("a part without a blank line after its headers")
        headers = BytesHeaderParser().parsebytes(head + b"\r\n\r\n")
        name = headers.get_param("name", header="content-disposition")
        if name is None:
            raise ValueError("a part without a name")
        name = collapse_rfc2231_value(name)
        if headers.get_filename() is not None:
            files[name] = content
        else:
            fields.append((name, content.decode("utf-8")))
    return fields, files


def _form_params(request: _Request) -> list[tuple[str, str]]:
    content_type = request.headers.get("Content-Type", "")
    if not request.body or not content_type.startswith(FORM_TYPE):
        return []
    return parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class _Server(ThreadingHTTPServer):
    """A threading server that keeps its handler threads, so that stop() can join them."""

    daemon_threads = True

    def __init__(self, fake: FakeFlickr):
        self.fake = fake
        self.handler_threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request, client_address):
        # ThreadingMixIn forgets daemon threads; stop() wants to wait for them a little.
        thread = threading.Thread(target=self.process_request_thread,
                                  args=(request, client_address), daemon=True,
                                  name="fake-flickr-request")
        with self._threads_lock:
            self.handler_threads = [t for t in self.handler_threads if t.is_alive()]
            self.handler_threads.append(thread)
        thread.start()

    def live_threads(self) -> list[threading.Thread]:
        with self._threads_lock:
            return [t for t in self.handler_threads if t.is_alive()]

    def handle_error(self, request, client_address):
        # A client that timed out, or a connection dropped on purpose, is the point of the
        # fake, not a fault in it; anything else is kept for the tests to see.
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError | TimeoutError):
            self.fake._record_error(error)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection; see the module docstring
    server_version = "FakeFlickr/1.0"
    # A client that connects and never sends its request must not hold a thread forever.
    timeout = 10

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def log_message(self, format, *args):
        # Quiet: pytest shows stderr of failing tests, and access logs would drown it.
        pass

    def _dispatch(self):
        if self.headers.get("Transfer-Encoding"):
            self.send_error(411, "Content-Length required")
            return
        length = _int(self.headers.get("Content-Length"), 0)
        body = self.rfile.read(length) if length > 0 else b""
        parts = urlsplit(self.path)
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        request = _Request(self.command, parts.path, parts.query, self.headers, body,
                           f"http://{host}{parts.path}")
        reply = self.server.fake._handle(request)
        if reply is None:
            # Hang up without a word: the client sees the connection close under it.
            self.close_connection = True
            return
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except (ConnectionError, TimeoutError):
            # The client gave up waiting (a delay fault); nobody is left to answer.
            self.close_connection = True


class FakeFlickr:
    """A fake Flickr with one account, in-memory photos and group pools, and faults.

    All state is behind one lock; handlers run in their own threads, so a delayed answer
    does not hold up the others.
    """

    def __init__(self, api_key: str = "key", api_secret: str = "secret", *,  # noqa: S107
                 username: str = "workshop-programme", user_nsid: str = "12345678@N00",
                 fullname: str = "Workshop Programme", group_id: str = "group1@N01"):
        self.api_key = api_key
        self.api_secret = api_secret
        self.username = username
        self.user_nsid = user_nsid
        self.fullname = fullname
        self.group_id = group_id
        # Seconds for which a new upload stays out of search results, as on the real Flickr.
        self.search_lag = 0.0
        self.photos: dict[str, FakePhoto] = {}
        # (REST method or "upload", parameters without oauth_* and without the file).
        self.calls: list[tuple[str, dict[str, str]]] = []
        # Exceptions raised inside the fake itself: a test may assert this stays empty.
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._groups: dict[str, bool] = {}  # group id: moderated
        self._pools: dict[str, set[str]] = {}
        self._pending: dict[str, set[str]] = {}
        self._faults: dict[str, deque[Fault]] = {}
        self._request_tokens: dict[str, _RequestToken] = {}
        self._access_tokens: dict[str, _AccessToken] = {}
        # Ids like Flickr's, increasing and never reused, not even after reset().
        self._photo_ids = itertools.count(53_000_000_001)
        self._routes: dict[str, Callable[[_Request], _Reply | None]] = {
            OAUTH_PATH + "/request_token": self._oauth_request_token,
            OAUTH_PATH + "/authorize": self._oauth_authorize,
            OAUTH_PATH + "/access_token": self._oauth_access_token,
            **dict.fromkeys(REST_PATHS, self._rest),
            **dict.fromkeys(UPLOAD_PATHS, self._upload),
        }
        self.add_group(group_id)

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> FakeFlickr:
        if self._httpd is not None:
            raise RuntimeError("the fake Flickr is running already")
        self._stopping.clear()
        self._httpd = _Server(self)
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True,
                                        name="fake-flickr")
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop serving, cut delay faults short and wait (up to ``timeout``) for handlers."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        deadline = time.monotonic() + timeout
        for handler in httpd.live_threads():
            handler.join(max(0.0, deadline - time.monotonic()))
        thread.join(max(0.0, deadline - time.monotonic()))
        self._httpd = self._thread = None

    def __enter__(self) -> FakeFlickr:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("start() the fake Flickr first")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def rest_url(self) -> str:
        return self.base_url + REST_PATHS[0]

    @property
    def upload_url(self) -> str:
        return self.base_url + UPLOAD_PATHS[0]

    @property
    def oauth_url(self) -> str:
        return self.base_url + OAUTH_PATH

    # -- set-up and inspection for tests ----------------------------------------------

    def add_group(self, group_id: str, moderated: bool = False) -> None:
        """Make a group known; photos added to a moderated one wait in its queue."""
        with self._lock:
            self._groups[group_id] = moderated
            self._pools.setdefault(group_id, set())
            self._pending.setdefault(group_id, set())

    def group_pool(self, group_id: str) -> set[str]:
        with self._lock:
            return set(self._pools.get(group_id, ()))

    def pending(self, group_id: str) -> set[str]:
        with self._lock:
            return set(self._pending.get(group_id, ()))

    def inject(self, target: str, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` requests to ``target``.

        ``target`` is a REST method name ("flickr.groups.pools.add"), "upload", or "*" for
        any REST call or upload. A request takes the first fault queued for its own target,
        else the first for "*". Faults apply to requests that pass authentication.
        """
        if target not in ("*", "upload") and not target.startswith("flickr."):
            raise ValueError(f"unknown fault target {target!r}")
        with self._lock:
            self._faults.setdefault(target, deque()).extend([fault] * times)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def count(self, method: str) -> int:
        """How many requests for this REST method (or "upload") arrived."""
        with self._lock:
            return sum(1 for name, _params in self.calls if name == method)

    def reset(self) -> None:
        """Forget photos, pools, queues, calls, faults and errors; keep tokens and groups."""
        with self._lock:
            self.photos.clear()
            self.calls.clear()
            self.errors.clear()
            self._faults.clear()
            for group_id in self._groups:
                self._pools[group_id] = set()
                self._pending[group_id] = set()

    def add_photo(self, title: str = "", description: str = "", tags: str = "",
                  data: bytes = b"\xff\xd8\xff\xe0 not really a JPEG", age: float = 0.0,
                  **fields: str) -> str:
        """Put a photo on the account as if uploaded ``age`` seconds ago; answer its id.

        ``tags`` and ``fields`` (is_public, safety_level, ...) are upload form values; no
        call is recorded.
        """
        params = {"title": title, "description": description, "tags": tags, **fields}
        with self._lock:
            return self._new_photo(params, data, age)

    def grant_token(self, perms: str = "delete") -> tuple[str, str]:
        """An access token and its secret, as if the OAuth dance had been done."""
        if perms not in PERMS:
            raise ValueError(f"perms must be one of {PERMS}")
        token, secret = self._new_token()
        with self._lock:
            self._access_tokens[token] = _AccessToken(token, secret, perms)
        return token, secret

    def revoke_tokens(self) -> None:
        """Invalidate every access token, as when the account holder revokes the app."""
        with self._lock:
            self._access_tokens.clear()

    def _record_error(self, error: BaseException | None) -> None:
        if error is not None:
            with self._lock:
                self.errors.append(error)

    # -- request handling -------------------------------------------------------------

    def _handle(self, request: _Request) -> _Reply | None:
        """The reply to one request, or None to hang up without one."""
        route = self._routes.get(request.path)
        if route is None:
            return _Reply(404, b"Not found", TEXT_TYPE)
        try:
            return route(request)
        except _OAuthProblem as problem:
            return _form_reply({"oauth_problem": problem.problem}, problem.status)
        except (ValueError, UnicodeDecodeError) as error:
            return _Reply(400, f"Bad request: {error}".encode(), TEXT_TYPE)
        except Exception as error:
            # A bug in the fake: answer 500 and keep it for the test to find.
            self._record_error(error)
            return _Reply(500, f"Fake Flickr failed: {error!r}".encode(), TEXT_TYPE)

    def _new_token(self) -> tuple[str, str]:
        # Shaped like Flickr's: "72157630789362986-5405f8542b549e95" and a 16-hex secret.
        number = 72157600000000000 + secrets.randbelow(10**11)
        return f"{number}-{secrets.token_hex(8)}", secrets.token_hex(8)

    def _oauth_params(self, request: _Request, body_params: list[tuple[str, str]]
                      ) -> tuple[list[tuple[str, str]], dict[str, str], str]:
        """All the signed parameters (without the signature), the oauth_* ones, the signature.

        Parameters come from the Authorization header, the query and the form body, as
        RFC 5849 section 3.4.1.3 collects them.
        """
        authorization = request.headers.get("Authorization")
        headers = {"Authorization": authorization} if authorization else {}
        params = oauth_signature.collect_parameters(uri_query=request.query, body=body_params,
                                                    headers=headers,
                                                    exclude_oauth_signature=False)
        signature = "".join(v for k, v in params if k == "oauth_signature")
        params = [(k, v) for k, v in params if k != "oauth_signature"]
        oauth = {k: v for k, v in params if k.startswith("oauth_")}
        return params, oauth, signature

    def _check_signature(self, request: _Request, params: list[tuple[str, str]],
                         signature: str, token_secret: str) -> None:
        oauth = dict(params)
        if not signature:
            raise _OAuthProblem("parameter_absent")
        if oauth.get("oauth_signature_method") != "HMAC-SHA1":
            raise _OAuthProblem("signature_method_rejected")
        base_string = oauth_signature.signature_base_string(
            request.method, oauth_signature.base_string_uri(request.url),
            oauth_signature.normalize_parameters(params))
        # oauthlib signs with a "client" that holds the two secrets; a namespace will do.
        secrets_holder = SimpleNamespace(client_secret=self.api_secret,
                                         resource_owner_secret=token_secret)
        expected = oauth_signature.sign_hmac_sha1_with_client(base_string, secrets_holder)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise _OAuthProblem("signature_invalid")

    def _check_consumer(self, oauth: dict[str, str]) -> None:
        if oauth.get("oauth_consumer_key") != self.api_key:
            raise _OAuthProblem("consumer_key_unknown")

    def _oauth_request_token(self, request: _Request) -> _Reply:
        params, oauth, signature = self._oauth_params(request, _form_params(request))
        self._check_consumer(oauth)
        self._check_signature(request, params, signature, "")
        callback = oauth.get("oauth_callback")
        if not callback:
            raise _OAuthProblem("parameter_absent")
        token, secret = self._new_token()
        with self._lock:
            self._request_tokens[token] = _RequestToken(token, secret, callback)
        return _form_reply({"oauth_callback_confirmed": "true", "oauth_token": token,
                            "oauth_token_secret": secret})

    def _oauth_authorize(self, request: _Request) -> _Reply:
        # The form posts back to its own address, query and all; its hidden fields say
        # the same for a client that posts elsewhere.
        values = dict(parse_qsl(request.query))
        if request.method == "POST":
            values.update(_form_params(request))
        token = values.get("oauth_token", "")
        perms = values.get("perms", "read")
        with self._lock:
            pending = self._request_tokens.get(token)
        if pending is None:
            return _html_reply("Invalid token",
                               "<p>That request token is unknown, or was used already.</p>",
                               400)
        if perms not in PERMS:
            return _html_reply("Invalid permissions",
                               f"<p>Flickr knows no permission {escape(perms)!r}.</p>", 400)
        if request.method != "POST":
            return _html_reply("Authorise application", f"""\
<p>An application (key <code>{escape(self.api_key)}</code>) asks for
<strong id="perms">{escape(perms)}</strong> permission on the Flickr account
<strong>{escape(self.username)}</strong>.</p>
<form method="post">
<input type="hidden" name="oauth_token" value="{escape(token)}">
<input type="hidden" name="perms" value="{escape(perms)}">
<button type="submit">OK, I'll authorise it</button>
</form>""")
        verifier = secrets.token_hex(8)
        with self._lock:
            pending.perms = perms
            pending.verifier = verifier
        if pending.callback == "oob":
            return _html_reply("Application authorised", f"""\
<p>Enter this code in the application:</p>
<p id="verifier">{escape(verifier)}</p>""")
        parts = urlsplit(pending.callback)
        extra = urlencode({"oauth_token": token, "oauth_verifier": verifier})
        query = f"{parts.query}&{extra}" if parts.query else extra
        location = urlunsplit(parts._replace(query=query))
        return _Reply(302, b"", TEXT_TYPE, {"Location": location})

    def _oauth_access_token(self, request: _Request) -> _Reply:
        params, oauth, signature = self._oauth_params(request, _form_params(request))
        self._check_consumer(oauth)
        with self._lock:
            pending = self._request_tokens.get(oauth.get("oauth_token", ""))
        if pending is None:
            raise _OAuthProblem("token_rejected")
        self._check_signature(request, params, signature, pending.secret)
        verifier = oauth.get("oauth_verifier", "")
        if pending.verifier is None or pending.perms is None or not hmac.compare_digest(
                pending.verifier.encode(), verifier.encode()):
            raise _OAuthProblem("verifier_invalid")
        token, secret = self._new_token()
        with self._lock:
            # A request token is good for one exchange only.
            if self._request_tokens.pop(pending.token, None) is None:
                raise _OAuthProblem("token_rejected")
            self._access_tokens[token] = _AccessToken(token, secret, pending.perms)
        return _form_reply({"fullname": self.fullname, "oauth_token": token,
                            "oauth_token_secret": secret, "user_nsid": self.user_nsid,
                            "username": self.username})

    def _rest(self, request: _Request) -> _Reply | None:
        body_params = _form_params(request)
        params = dict(parse_qsl(request.query, keep_blank_values=True))
        params.update(body_params)
        return self._api_call(request, params.get("method", ""), params, body_params, None)

    def _upload(self, request: _Request) -> _Reply | None:
        if request.method != "POST":
            return _Reply(405, b"Uploads are POSTed", TEXT_TYPE, {"Allow": "POST"})
        fields, files = _parse_multipart(request.headers.get("Content-Type", ""), request.body)
        # flickrapi signs a form-encoded twin of the upload without the photo, so the
        # multipart's text fields are the body parameters of the signature.
        return self._api_call(request, "upload", dict(fields), fields, files.get("photo"))

    def _api_call(self, request: _Request, target: str, params: dict[str, str],
                  body_params: list[tuple[str, str]], photo: bytes | None) -> _Reply | None:
        public = {k: v for k, v in params.items() if not k.startswith("oauth_")}
        with self._lock:
            self.calls.append((target, public))
        try:
            token = self._authenticate(request, body_params)
        except _FlickrFail as fail:
            return _fail(fail.code, fail.msg)
        fault = self._take_fault(target)
        operation = functools.partial(self._perform, target, public, photo, token)
        if fault is None:
            return operation()
        if fault.kind == "error":
            if fault.after_effect:
                operation()
            return _fail(fault.code, fault.msg)
        if fault.kind == "http":
            if fault.after_effect:
                operation()
            headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
            return _Reply(fault.status, fault.body.encode("utf-8"), TEXT_TYPE, headers)
        if fault.kind == "delay":
            if fault.after_effect:
                reply = operation()
                self._stopping.wait(fault.seconds)
                return reply
            if self._stopping.wait(fault.seconds):
                return None  # stopping: the work was never done, and nobody waits
            return operation()
        if fault.after_effect:  # a drop
            operation()
        return None

    def _authenticate(self, request: _Request, body_params: list[tuple[str, str]]
                      ) -> _AccessToken:
        params, oauth, signature = self._oauth_params(request, body_params)
        if oauth.get("oauth_consumer_key") != self.api_key:
            raise _FlickrFail(100, ERROR_MESSAGES[100])
        with self._lock:
            token = self._access_tokens.get(oauth.get("oauth_token", ""))
        if token is None:
            # Unknown or revoked: there is no secret to check the signature with.
            raise _FlickrFail(98, ERROR_MESSAGES[98])
        self._check_signature(request, params, signature, token.secret)
        return token

    def _take_fault(self, target: str) -> Fault | None:
        with self._lock:
            for key in (target, "*"):
                queue = self._faults.get(key)
                if queue:
                    return queue.popleft()
        return None

    def _perform(self, target: str, params: dict[str, str], photo: bytes | None,
                 token: _AccessToken) -> _Reply:
        methods: dict[str, tuple[str, Callable[..., list[ET.Element]]]] = {
            "flickr.test.login": ("read", self._test_login),
            "flickr.auth.oauth.checkToken": ("read", self._check_token),
            "flickr.photos.search": ("read", self._search),
            "flickr.groups.pools.add": ("write", self._pools_add),
            "flickr.groups.pools.remove": ("write", self._pools_remove),
            "flickr.photos.delete": ("delete", self._delete),
        }
        try:
            if target == "upload":
                self._require(token, "write")
                with self._lock:
                    return _ok(*self._store_upload(params, photo))
            if target not in methods:
                raise _FlickrFail(112, f'Method "{target}" not found')
            needed, method = methods[target]
            self._require(token, needed)
            with self._lock:
                return _ok(*method(params, token))
        except _FlickrFail as fail:
            return _fail(fail.code, fail.msg)

    @staticmethod
    def _require(token: _AccessToken, needed: str) -> None:
        if PERMS.index(token.perms) < PERMS.index(needed):
            raise _FlickrFail(99, ERROR_MESSAGES[99])

    # -- the operations, called with the lock held ------------------------------------

    def _store_upload(self, params: dict[str, str], photo: bytes | None) -> list[ET.Element]:
        if photo is None:
            raise _FlickrFail(2, "No photo specified")
        if not photo:
            raise _FlickrFail(4, "Filesize was zero")
        if not photo.startswith(IMAGE_MAGIC):
            raise _FlickrFail(5, "Filetype was not recognised")
        return [_text_element("photoid", self._new_photo(params, photo))]

    def _new_photo(self, params: dict[str, str], data: bytes, age: float = 0.0) -> str:
        tags = parse_tags(params.get("tags", ""))
        photo_id = str(next(self._photo_ids))
        self.photos[photo_id] = FakePhoto(
            id=photo_id,
            title=params.get("title", ""),
            description=params.get("description", ""),
            tags=tags,
            machine_tags=[tag for tag in tags if MACHINE_TAG.fullmatch(tag)],
            # Flickr's defaults, where the account's own settings would otherwise apply.
            is_public=params.get("is_public", "1"),
            is_friend=params.get("is_friend", "0"),
            is_family=params.get("is_family", "0"),
            safety_level=params.get("safety_level", "1"),
            content_type=params.get("content_type", "1"),
            hidden=params.get("hidden", "1"),
            data=data,
            owner=self.user_nsid,
            uploaded_at=time.monotonic() - age,
        )
        return photo_id

    def _test_login(self, params: dict[str, str], token: _AccessToken) -> list[ET.Element]:
        user = ET.Element("user", id=self.user_nsid)
        user.append(_text_element("username", self.username))
        return [user]

    def _check_token(self, params: dict[str, str], token: _AccessToken) -> list[ET.Element]:
        oauth = ET.Element("oauth")
        oauth.append(_text_element("token", token.token))
        oauth.append(_text_element("perms", token.perms))
        ET.SubElement(oauth, "user", nsid=self.user_nsid, username=self.username,
                      fullname=self.fullname)
        return [oauth]

    def _search(self, params: dict[str, str], token: _AccessToken) -> list[ET.Element]:
        found = list(self.photos.values())
        if params.get("user_id", "me") not in ("me", self.user_nsid):
            found = []  # the fake has one account
        wanted = [_normalise_machine_tag(t) for t in params.get("machine_tags", "").split(",")
                  if t.strip()]
        if wanted:
            match = all if params.get("machine_tag_mode") == "all" else any
            found = [photo for photo in found if match(
                tag in {_normalise_machine_tag(t) for t in photo.machine_tags}
                for tag in wanted)]
        if self.search_lag > 0:
            newest = time.monotonic() - self.search_lag
            found = [photo for photo in found if photo.uploaded_at <= newest]
        found.sort(key=lambda photo: int(photo.id), reverse=True)  # newest first
        per_page = min(max(_int(params.get("per_page"), 100), 1), 500)
        page = max(_int(params.get("page"), 1), 1)
        photos = ET.Element("photos", page=str(page), pages=str(math.ceil(len(found) / per_page)),
                            perpage=str(per_page), total=str(len(found)))
        for photo in found[(page - 1) * per_page:page * per_page]:
            ET.SubElement(photos, "photo", id=photo.id, owner=photo.owner,
                          secret=f"{int(photo.id):x}", server="65535", farm="66",
                          title=photo.title, ispublic=photo.is_public,
                          isfriend=photo.is_friend, isfamily=photo.is_family)
        return [photos]

    def _pools_add(self, params: dict[str, str], token: _AccessToken) -> list[ET.Element]:
        group_id, photo_id = params.get("group_id", ""), params.get("photo_id", "")
        if group_id not in self._groups:
            raise _FlickrFail(1, "Group not found")
        if photo_id not in self.photos:
            raise _FlickrFail(2, "Photo not found")
        if photo_id in self._pools[group_id]:
            raise _FlickrFail(3, "Photo already in pool")
        if photo_id in self._pending[group_id]:
            raise _FlickrFail(7, "Photo already in queue")
        if self._groups[group_id]:
            # Flickr answers a queued photo with an error code, though nothing went wrong.
            self._pending[group_id].add(photo_id)
            raise _FlickrFail(6, "Photo added to group's queue")
        self._pools[group_id].add(photo_id)
        return []

    def _pools_remove(self, params: dict[str, str], token: _AccessToken) -> list[ET.Element]:
        group_id, photo_id = params.get("group_id", ""), params.get("photo_id", "")
        if group_id not in self._groups:
            raise _FlickrFail(1, "Group not found")
        if photo_id in self._pools[group_id]:
            self._pools[group_id].discard(photo_id)
        elif photo_id in self._pending[group_id]:
            self._pending[group_id].discard(photo_id)
        else:
            raise _FlickrFail(2, "Photo not in pool")
        return []

    def _delete(self, params: dict[str, str], token: _AccessToken) -> list[ET.Element]:
        photo_id = params.get("photo_id", "")
        if self.photos.pop(photo_id, None) is None:
            raise _FlickrFail(1, "Photo not found")
        for members in (*self._pools.values(), *self._pending.values()):
            members.discard(photo_id)
        return []
