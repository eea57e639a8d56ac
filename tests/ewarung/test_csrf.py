"""CSRF protection: forms and cookie-authenticated JSON writes need the token; tokens do not."""

from __future__ import annotations

from tests.factories import PASSWORD, make_token, make_user
from tests.helpers import error_code


def test_form_post_without_csrf_token_is_refused(client, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    resp = client.raw.post("/login", data={"username": "siti", "pin": "1234"})
    assert resp.status_code == 403
    assert "Sesi formulir" in resp.get_data(as_text=True)


def test_signed_in_form_post_without_token_is_refused(client, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    client.login("ketua", password=PASSWORD)
    assert client.raw.post("/logout").status_code == 403
    assert client.get("/api/v1/auth/me").status_code == 200  # still signed in


def test_cookie_json_write_without_csrf_header_is_refused(client, db):
    with db.unit_of_work() as s:
        make_user(s, "admin", "boss")
    client.login("boss", password=PASSWORD)
    body = {"username": "andi", "role": "cashier", "pin": "4321"}
    refused = client.raw.post("/api/v1/users", json=body)
    assert refused.status_code == 403
    assert error_code(refused) == "csrf_failed"
    forged = client.raw.post("/api/v1/users", json=body, headers={"X-CSRFToken": "forged"})
    assert error_code(forged) == "csrf_failed"
    accepted = client.post("/api/v1/users", json=body)
    assert accepted.status_code == 201


def test_bearer_token_writes_need_no_csrf_token(client, db):
    with db.unit_of_work() as s:
        token = make_token(s, "admin")
    resp = client.raw.post("/api/v1/users", json={"username": "andi", "role": "cashier",
                                                  "pin": "4321"},
                           headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 201


def test_csrf_token_of_another_session_is_refused(app, client, db):
    with db.unit_of_work() as s:
        make_user(s, "admin", "boss")
        make_user(s, "admin", "other")
    other = type(client)(app.test_client())
    other.login("other", password=PASSWORD)
    client.login("boss", password=PASSWORD)
    resp = client.raw.post("/api/v1/users", json={"username": "andi", "role": "cashier",
                                                  "pin": "4321"},
                           headers={"X-CSRFToken": other.csrf})
    assert error_code(resp) == "csrf_failed"


def test_every_write_route_refuses_a_signed_in_browser_without_the_token(app, client, db):
    from werkzeug.routing import IntegerConverter

    from ewarung.web import PUBLIC

    with db.unit_of_work() as s:
        make_user(s, "admin", "boss")
    client.login("boss", password=PASSWORD)
    checked = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint == "static" or getattr(view, "_access", None) == PUBLIC:
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            values = {name: 1 if isinstance(conv, IntegerConverter) else "x"
                      for name, conv in rule._converters.items()}
            url = rule.build(values, append_unknown=False)[1]
            for body in ({"json": {}}, {"data": {}}):
                resp = client.raw.open(url, method=method, **body)
                assert resp.status_code == 403, (method, url, resp.status_code)
                resp.close()
            checked.append((method, url))
    assert len(checked) > 30


def test_api_sign_in_refuses_a_body_another_site_could_send(client, db):
    """A cross-site form can post text/plain without a preflight; only JSON may sign in."""
    import json

    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    body = json.dumps({"username": "ketua", "password": PASSWORD})
    for content_type in ("text/plain", "application/x-www-form-urlencoded",
                         "multipart/form-data; boundary=x", None):
        headers = {"Content-Type": content_type} if content_type else {}
        resp = client.raw.post("/api/v1/auth/login", data=body, headers=headers)
        assert (resp.status_code, error_code(resp)) == (415, "unsupported_media_type"), \
            content_type
        assert "ewarung_session" not in resp.headers.get("Set-Cookie", "")
        assert client.raw.get("/api/v1/auth/me").status_code == 401
    assert client.login("ketua", password=PASSWORD).status_code == 200


def test_the_sign_in_page_refuses_a_form_without_this_session_s_token(app, client, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    other = type(client)(app.test_client())
    page = other.raw.get("/login").get_data(as_text=True)
    foreign = page.split('name="csrf_token" value="')[1].split('"')[0]
    for data in ({"username": "siti", "pin": "1234"},
                 {"username": "siti", "pin": "1234", "csrf_token": foreign}):
        resp = client.raw.post("/login", data=data)
        assert resp.status_code == 403
        assert client.raw.get("/api/v1/auth/me").status_code == 401
