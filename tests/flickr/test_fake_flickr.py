"""The fake Flickr, driven by the real flickrapi client: if these pass, the app's tests can
trust that what the fake answers is what flickrapi would make of the real thing."""

import functools
import io
import threading
import time
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import flickrapi
import pytest
import requests
from flickrapi.auth import FlickrAccessToken
from PIL import Image
from requests_oauthlib import OAuth1
from requests_toolbelt import MultipartEncoder

from tests.flickr.fake_flickr import FakeFlickr, Fault, parse_tags

KEY = "key"
SECRET = "secret"
NSID = "12345678@N00"
USERNAME = "workshop-programme"


@functools.cache
def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def make_api(server: FakeFlickr, secret: str = SECRET,
             token: FlickrAccessToken | None = None) -> flickrapi.FlickrAPI:
    api = flickrapi.FlickrAPI(KEY, secret, token=token, format="etree", store_token=False,
                              timeout=2)
    # Instance attributes only: the class attributes are shared with every other client.
    api.REST_URL = server.rest_url
    api.UPLOAD_URL = server.upload_url
    api.flickr_oauth.REQUEST_TOKEN_URL = server.oauth_url + "/request_token"
    api.flickr_oauth.AUTHORIZE_URL = server.oauth_url + "/authorize"
    api.flickr_oauth.ACCESS_TOKEN_URL = server.oauth_url + "/access_token"
    return api


def authorised_api(server: FakeFlickr, perms: str = "delete",
                   secret: str = SECRET) -> flickrapi.FlickrAPI:
    token, token_secret = server.grant_token(perms)
    return make_api(server, secret, FlickrAccessToken(token, token_secret, perms))


@pytest.fixture
def server():
    with FakeFlickr(api_key=KEY, api_secret=SECRET) as server:
        yield server
    assert server.errors == []


@pytest.fixture
def api(server):
    return authorised_api(server)


def upload(api: flickrapi.FlickrAPI, uuid: str = "abc", data: bytes | None = None,
           **fields) -> str:
    fields = {"title": "A title", "description": "", "tags": f'"workshop:photo={uuid}"',
              "is_public": "1", "safety_level": "1", "content_type": "1", **fields}
    rsp = api.upload(filename="x.jpg", fileobj=io.BytesIO(jpeg() if data is None else data),
                     format="etree", **fields)
    return rsp.findtext("photoid")


def add_to_pool(api, photo_id, group_id, **kwargs):
    return api.groups.pools.add(photo_id=photo_id, group_id=group_id, **kwargs)


def signed(server: FakeFlickr, secret: str = SECRET) -> OAuth1:
    """requests' OAuth1 with a granted token: a second, independent signing client."""
    token, token_secret = server.grant_token()
    return OAuth1(KEY, secret, token, token_secret, signature_type="auth_header")


class Page(HTMLParser):
    """What the tests read of an HTML page: lang, title, headings, inputs, buttons."""

    def __init__(self, html: str):
        super().__init__()
        self.lang = None
        self.texts: dict[str, str] = {}
        self.inputs: dict[str, str] = {}
        self.form_method = None
        self._open = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "form":
            self.form_method = attrs.get("method")
        elif tag == "input":
            self.inputs[attrs["name"]] = attrs.get("value", "")
        key = f"#{attrs['id']}" if "id" in attrs else tag
        if key in ("title", "h1", "button", "#verifier", "#perms"):
            self._open = key

    def handle_data(self, data):
        if self._open:
            self.texts[self._open] = self.texts.get(self._open, "") + data

    def handle_endtag(self, tag):
        self._open = None


def authorise(url: str) -> requests.Response:
    page = requests.get(url, timeout=2)
    assert page.status_code == 200
    form = Page(page.text)
    assert form.lang == "en"
    assert form.texts["title"].startswith("Authorise application")
    assert form.texts["h1"] == "Authorise application"
    assert form.texts["button"] == "OK, I'll authorise it"
    assert form.form_method == "post"
    # The form has no action: it posts back to the page's own address.
    return requests.post(url, data=form.inputs, timeout=2, allow_redirects=False)


# -- OAuth --------------------------------------------------------------------------------

def test_oauth_out_of_band(server):
    api = make_api(server)
    api.get_request_token(oauth_callback="oob")
    url = api.auth_url(perms="delete")
    assert Page(requests.get(url, timeout=2).text).texts["#perms"] == "delete"

    done = authorise(url)
    assert done.status_code == 200
    verifier = Page(done.text).texts["#verifier"]
    api.get_access_token(verifier)

    token = api.token_cache.token
    assert (token.username, token.user_nsid, token.fullname) == (
        USERNAME, NSID, "Workshop Programme")
    assert api.token_valid(perms="delete")
    assert api.test.login().find("user").get("id") == NSID
    # A request token is exchanged once only.
    api.flickr_oauth.resource_owner_key = token.token  # what get_access_token left behind
    with pytest.raises(flickrapi.FlickrError, match="Status code 401"):
        api.flickr_oauth.do_request(server.oauth_url + "/access_token")


def test_oauth_with_a_callback(server):
    api = make_api(server)
    api.get_request_token(oauth_callback="https://app.example/flickr/done?next=%2Fphotos")
    done = authorise(api.auth_url(perms="write"))

    assert done.status_code == 302
    location = urlsplit(done.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https", "app.example", "/flickr/done")
    query = parse_qs(location.query)
    assert query["next"] == ["/photos"]
    assert query["oauth_token"] == [api.flickr_oauth.resource_owner_key]
    api.get_access_token(query["oauth_verifier"][0])
    assert api.auth.oauth.checkToken().findtext("oauth/perms") == "write"
    assert api.token_valid(perms="write")
    assert not api.token_valid(perms="delete")


def test_oauth_refuses_a_wrong_verifier(server):
    api = make_api(server)
    api.get_request_token(oauth_callback="oob")
    authorise(api.auth_url(perms="read"))
    with pytest.raises(flickrapi.FlickrError, match="Status code 401"):
        api.get_access_token("0123456789abcdef")


def test_authorise_page_refuses_an_unknown_token(server):
    page = requests.get(server.oauth_url + "/authorize?oauth_token=nope&perms=read", timeout=2)
    assert page.status_code == 400
    assert Page(page.text).texts["h1"] == "Invalid token"


def test_a_wrong_consumer_secret_fails_the_signature(server):
    with pytest.raises(flickrapi.FlickrError, match="Status code 401"):
        make_api(server, secret="not-the-secret").get_request_token(oauth_callback="oob")
    api = authorised_api(server, secret="not-the-secret")
    with pytest.raises(flickrapi.FlickrError, match="Status code 401"):
        api.test.login()
    with pytest.raises(flickrapi.FlickrError, match="Status code 401"):
        upload(api)
    answer = requests.post(server.rest_url, data={"method": "flickr.test.login"}, timeout=2,
                           auth=signed(server, secret="not-the-secret"))
    assert (answer.status_code, answer.text) == (401, "oauth_problem=signature_invalid")
    assert server.photos == {}


def raw_upload(server: FakeFlickr, signed_fields: dict, sent_fields: dict,
               photo: bytes | None) -> requests.Response:
    """An upload as flickrapi makes one: sign a form-encoded twin, send multipart."""
    twin = requests.Request("POST", server.upload_url, data=signed_fields,
                            auth=signed(server)).prepare()
    if photo is not None:
        sent_fields = {**sent_fields, "photo": ("x.jpg", io.BytesIO(photo))}
    body = MultipartEncoder(fields=sent_fields)
    return requests.post(server.upload_url, data=body, timeout=2, headers={
        "Authorization": twin.headers["Authorization"], "Content-Type": body.content_type})


def test_the_signature_covers_the_upload_fields(server):
    fields = {"title": "Signed", "api_key": KEY}
    assert "<photoid>" in raw_upload(server, fields, fields, jpeg()).text
    tampered = raw_upload(server, fields, {**fields, "title": "Tampered"}, jpeg())
    assert (tampered.status_code, tampered.text) == (401, "oauth_problem=signature_invalid")
    assert 'code="2"' in raw_upload(server, fields, fields, None).text
    assert [photo.title for photo in server.photos.values()] == ["Signed"]


def test_revoked_tokens_answer_code_98(server, api):
    server.revoke_tokens()
    with pytest.raises(flickrapi.FlickrError) as error:
        api.test.login()
    assert error.value.code == 98
    with pytest.raises(flickrapi.FlickrError) as error:
        upload(api)
    assert error.value.code == 98
    assert not api.token_valid()


# -- REST and uploads ---------------------------------------------------------------------

def test_login(api):
    user = api.test.login().find("user")
    assert (user.get("id"), user.findtext("username")) == (NSID, USERNAME)


def test_upload_keeps_the_fields(server, api):
    photo_id = upload(api, title="Café", description="Line one\nline two",
                      tags='"workshop:photo=AbC-1" day-one "two words"', is_public="0",
                      is_friend="1", is_family="0", safety_level="2", content_type="3",
                      hidden="2")
    photo = server.photos[photo_id]
    assert (photo.title, photo.description) == ("Café", "Line one\nline two")
    assert photo.tags == ["workshop:photo=AbC-1", "day-one", "two words"]
    assert photo.machine_tags == ["workshop:photo=AbC-1"]
    assert (photo.is_public, photo.is_friend, photo.is_family) == ("0", "1", "0")
    assert (photo.safety_level, photo.content_type, photo.hidden) == ("2", "3", "2")
    assert (photo.data, photo.owner) == (jpeg(), NSID)
    assert int(upload(api)) > int(photo_id)


@pytest.mark.parametrize(("data", "code"), [(b"", 4), (b"%PDF-1.7 not a photo", 5)])
def test_upload_refuses_what_is_not_a_photo(server, api, data, code):
    with pytest.raises(flickrapi.FlickrError) as error:
        upload(api, data=data)
    assert error.value.code == code
    assert server.photos == {}


def test_tags_parse_like_flickr():
    assert parse_tags(' a  "b c" d:e=f ""') == ["a", "b c", "d:e=f"]


def test_search_by_machine_tag(server, api):
    first, second = upload(api, uuid="abc"), upload(api, uuid="DEF")

    def found(**params):
        photos = api.photos.search(user_id="me", **params).find("photos")
        return photos.get("total"), [photo.get("id") for photo in photos.findall("photo")]

    assert found(machine_tags="workshop:photo=abc") == ("1", [first])
    assert found(machine_tags="Workshop:Photo=def") == ("1", [second])
    assert found(machine_tags="workshop:photo=abc,workshop:photo=def") == ("2", [second, first])
    assert found(machine_tags="workshop:photo=ab") == ("0", [])
    assert found() == ("2", [second, first])
    photo = api.photos.search(user_id=NSID, machine_tags="workshop:photo=abc").find(
        "photos/photo")
    assert (photo.get("owner"), photo.get("title"), photo.get("ispublic")) == (
        NSID, "A title", "1")


def test_search_lag_hides_new_photos(server, api):
    server.search_lag = 60
    upload(api)
    old = server.add_photo(tags='"workshop:photo=abc"', age=120)

    def found():
        rsp = api.photos.search(user_id="me", machine_tags="workshop:photo=abc")
        return [photo.get("id") for photo in rsp.findall("photos/photo")]

    assert found() == [old]
    server.search_lag = 0
    assert len(found()) == 2


def test_photos_can_be_put_on_the_account(server, api):
    photo_id = server.add_photo(title="Earlier try", tags='"workshop:photo=abc" x',
                                is_public="0")
    photo = server.photos[photo_id]
    assert (photo.title, photo.machine_tags, photo.is_public, photo.safety_level) == (
        "Earlier try", ["workshop:photo=abc"], "0", "1")
    assert server.calls == []
    assert flickr_code(add_to_pool, api, photo_id, server.group_id) is None


def flickr_code(call, *args, **kwargs) -> int | None:
    try:
        call(*args, **kwargs)
    except flickrapi.FlickrError as error:
        return error.code
    return None


def test_group_pools(server, api):
    photo_id = upload(api)
    group = server.group_id
    assert flickr_code(add_to_pool, api, photo_id, group) is None
    assert server.group_pool(group) == {photo_id}
    assert flickr_code(add_to_pool, api, photo_id, group) == 3
    assert flickr_code(add_to_pool, api, photo_id, "nobody@N01") == 1
    assert flickr_code(add_to_pool, api, "1", group) == 2

    remove = api.groups.pools.remove
    assert flickr_code(remove, photo_id=photo_id, group_id=group) is None
    assert server.group_pool(group) == set()
    assert flickr_code(remove, photo_id=photo_id, group_id=group) == 2


def test_moderated_groups_queue_photos(server, api):
    server.add_group("moderated@N01", moderated=True)
    photo_id = upload(api)
    assert flickr_code(add_to_pool, api, photo_id, "moderated@N01") == 6
    assert flickr_code(add_to_pool, api, photo_id, "moderated@N01") == 7
    assert server.pending("moderated@N01") == {photo_id}
    assert server.group_pool("moderated@N01") == set()


def test_delete(server, api):
    server.add_group("moderated@N01", moderated=True)
    photo_id = upload(api)
    add_to_pool(api, photo_id, server.group_id)
    flickr_code(add_to_pool, api, photo_id, "moderated@N01")

    assert flickr_code(authorised_api(server, "write").photos.delete, photo_id=photo_id) == 99
    assert flickr_code(api.photos.delete, photo_id=photo_id) is None
    assert server.photos == {}
    assert server.group_pool(server.group_id) == server.pending("moderated@N01") == set()
    assert flickr_code(api.photos.delete, photo_id=photo_id) == 1


def test_reading_tokens_cannot_write(server):
    assert flickr_code(upload, authorised_api(server, "read")) == 99


def test_unknown_methods(api):
    assert flickr_code(api.photos.frobnicate) == 112


def test_calls_are_recorded_without_oauth_or_file(server, api):
    photo_id = upload(api)
    add_to_pool(api, photo_id, server.group_id)
    assert [name for name, _params in server.calls] == ["upload", "flickr.groups.pools.add"]
    upload_params, add_params = (params for _name, params in server.calls)
    assert upload_params["tags"] == '"workshop:photo=abc"'
    assert "photo" not in upload_params
    assert add_params == {"method": "flickr.groups.pools.add", "format": "rest",
                          "nojsoncallback": "1", "photo_id": photo_id,
                          "group_id": server.group_id}
    assert not any(key.startswith("oauth_") for _name, params in server.calls for key in params)
    assert (server.count("upload"), server.count("flickr.test.login")) == (1, 0)


def test_reset_keeps_tokens(server, api):
    add_to_pool(api, upload(api), server.group_id)
    server.inject("*", Fault.error(105))
    server.reset()
    assert (server.photos, server.calls, server.group_pool(server.group_id)) == ({}, [], set())
    assert api.test.login().find("user").get("id") == NSID


# -- faults -------------------------------------------------------------------------------

def test_error_faults_are_consumed_in_order(server, api):
    photo_id = upload(api)
    server.inject("flickr.groups.pools.add", Fault.error(106), times=2)
    server.inject("*", Fault.error(105, "Service currently unavailable"))
    codes = [flickr_code(add_to_pool, api, photo_id, server.group_id) for _ in range(4)]
    assert codes == [106, 106, 105, None]
    assert server.group_pool(server.group_id) == {photo_id}
    assert server.count("flickr.groups.pools.add") == 4


def test_http_faults(server, api):
    server.inject("*", Fault.http(500))
    with pytest.raises(flickrapi.FlickrError, match="Status code 500"):
        api.test.login()
    server.inject("upload", Fault.http(502, "Bad gateway"))
    with pytest.raises(flickrapi.FlickrError, match="Status code 502"):
        upload(api)
    assert server.photos == {}

    server.inject("flickr.test.login", Fault.http(429))
    server.inject("flickr.test.login", Fault.http(503, retry_after=30))
    answers = [requests.post(server.rest_url, data={"method": "flickr.test.login"}, timeout=2,
                             auth=signed(server)) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [429, 503, 200]
    assert [answer.headers.get("Retry-After") for answer in answers] == ["1", "30", None]


def test_faults_after_the_work_is_done(server, api):
    server.inject("upload", Fault.http(502, after_effect=True))
    with pytest.raises(flickrapi.FlickrError, match="Status code 502"):
        upload(api)
    (photo_id,) = server.photos
    server.inject("flickr.groups.pools.add", Fault.error(106, after_effect=True))
    assert flickr_code(add_to_pool, api, photo_id, server.group_id) == 106
    assert server.group_pool(server.group_id) == {photo_id}


def test_a_late_answer_after_the_upload_is_stored(server, api):
    server.inject("upload", Fault.delay(5))
    with pytest.raises(requests.exceptions.Timeout):
        upload(api, timeout=0.2)
    assert [photo.machine_tags for photo in server.photos.values()] == [["workshop:photo=abc"]]


def test_a_late_answer_before_the_work_is_done(server, api):
    photo_id = upload(api)
    server.inject("flickr.groups.pools.add", Fault.delay(0.4, after_effect=False))
    with pytest.raises(requests.exceptions.Timeout):
        add_to_pool(api, photo_id, server.group_id, timeout=0.1)
    assert server.group_pool(server.group_id) == set()
    deadline = time.monotonic() + 2
    while not server.group_pool(server.group_id) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.group_pool(server.group_id) == {photo_id}


def test_dropped_connections(server, api):
    photo_id = upload(api)
    server.inject("flickr.groups.pools.add", Fault.drop(after_effect=False))
    with pytest.raises(requests.exceptions.ConnectionError):
        add_to_pool(api, photo_id, server.group_id)
    assert server.group_pool(server.group_id) == set()

    server.inject("flickr.groups.pools.add", Fault.drop())
    with pytest.raises(requests.exceptions.ConnectionError):
        add_to_pool(api, photo_id, server.group_id)
    assert server.group_pool(server.group_id) == {photo_id}

    server.inject("upload", Fault.drop())
    with pytest.raises(requests.exceptions.ConnectionError):
        upload(api, uuid="dropped")
    assert len(server.photos) == 2


def test_a_delay_does_not_hold_up_other_requests(server, api):
    server.inject("flickr.test.login", Fault.delay(1))
    slow = threading.Thread(target=api.test.login)
    slow.start()
    deadline = time.monotonic() + 2
    while server.count("flickr.test.login") == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert authorised_api(server).auth.oauth.checkToken().findtext("oauth/perms") == "delete"
    assert slow.is_alive()
    slow.join()


def test_stop_cuts_delays_short():
    server = FakeFlickr().start()
    server.inject("*", Fault.delay(30))
    with pytest.raises(requests.exceptions.Timeout):
        authorised_api(server).test.login(timeout=0.1)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1
    assert server.errors == []
    with pytest.raises(RuntimeError):
        server.base_url  # noqa: B018 - the property raises once stopped
