"""GraphiQL in a real headless browser (Debian's chromium) against the app on a real port.

The page must work with no internet: every request the browser makes is checked to stay on
the gateway's origin, and the page must ask for a key, load the schema with it and run a query.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from app.privacy.keys_cli import create_demo_keys
from app.settings import Settings
from app.store.db import run_with_database
from app.store.migrate import upgrade
from composition.asgi import create_app
from simulators.demo import graphiql_url
from simulators.seeding import seed

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium)"
)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUERY = "{ customers(first: 2) { totalCount edges { node { displayName } } } }"
WAIT_MS = 20_000


@dataclass(frozen=True)
class Served:
    """The gateway on a real port, a seeded store, and a key per demo role."""

    origin: str
    settings: Settings
    keys: dict[str, str]
    names: list[str]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('graphiql') / 'c360.db'}"
    upgrade(url)
    run_with_database(url, lambda db: seed(db, customers=5, seed_value=7))
    keys = run_with_database(url, create_demo_keys)
    names = run_with_database(url, _display_names)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings = Settings(database_url=url, log_json=False, host="127.0.0.1", port=port)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), log_config=None, access_log=False, lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the gateway did not start")
        threading.Event().wait(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", settings, keys, names)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


async def _display_names(db) -> list[str]:
    async with db.session() as session:
        rows = await session.execute(text("SELECT given_name, family_name FROM customer"))
    return [f"{given} {family}" for given, family in rows]


@pytest.fixture
def page(served: Served, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.elsewhere = []  # type: ignore[attr-defined]
        page.console_errors = []  # type: ignore[attr-defined]

        def only_the_gateway(route) -> None:
            request_url = route.request.url
            if request_url.startswith(served.origin + "/") or request_url.startswith("data:"):
                route.continue_()
            else:
                page.elsewhere.append(request_url)  # type: ignore[attr-defined]
                route.abort()

        context.route("**/*", only_the_gateway)
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        try:
            yield page
        finally:
            context.close()


def _run_query(page, query: str) -> str:
    """Type `query` into GraphiQL's editor, run it, and return the response pane's text."""
    page.wait_for_selector(".graphiql-query-editor .CodeMirror")
    page.evaluate(
        "q => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(q)",
        query,
    )
    page.click(".graphiql-execute-button")
    page.wait_for_function(
        "() => (document.querySelector('.graphiql-response .CodeMirror')"
        "?.CodeMirror.getValue() || '').includes('totalCount')"
    )
    return page.evaluate(
        "() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"
    )


def _docs_show_the_schema(page) -> None:
    page.click("button[aria-label='Show Documentation Explorer']")
    page.wait_for_selector(".graphiql-doc-explorer-root-type >> text=Query")


def test_graphiql_asks_for_a_key_then_loads_the_docs_and_runs_a_query(served, page):
    # when the page opens with no key
    page.goto(served.origin + "/graphql")

    # then it asks for one (no request has failed yet)
    page.wait_for_selector("#c360-key-form:not([hidden])")
    assert page.is_hidden("#graphiql")

    # when a key is entered
    page.fill("#c360-key-input", served.keys["support_agent"])
    page.click("#c360-key-form button[type=submit]")

    # then the schema and docs load with it, and a query returns data
    _docs_show_the_schema(page)
    response = _run_query(page, QUERY)
    assert '"totalCount": 5' in response
    assert any(name in response for name in served.names), response
    assert "UNAUTHENTICATED" not in response

    # when the tab reloads, the key is kept for the session
    page.reload()
    _docs_show_the_schema(page)
    assert page.is_hidden("#c360-key-form")

    # and nothing was fetched from anywhere but the gateway
    assert page.elsewhere == []
    assert page.console_errors == []


def test_the_demo_url_signs_graphiql_in_and_drops_the_key_from_the_address(served, page):
    # given the URL `c360 demo` prints for the admin key
    url = graphiql_url(served.settings, served.keys["admin"])

    # when
    page.goto(url)

    # then the page is signed in at once and the key left the address bar
    response = _run_query(page, QUERY)
    assert '"totalCount": 5' in response
    assert page.url == served.origin + "/graphql"
    assert page.elsewhere == []
    assert page.console_errors == []


def test_a_refused_key_is_forgotten_and_asked_for_again(served, page):
    # when
    page.goto(served.origin + "/graphql#key=c360_not_a_real_key")

    # then
    page.wait_for_selector("#c360-key-error:not([hidden])")
    assert "refused" in page.inner_text("#c360-key-error")
    assert page.evaluate("() => sessionStorage.length") == 0
    assert page.elsewhere == []


def test_the_page_loads_nothing_from_outside_the_gateway(served):
    # The same check without a browser: every src/href of the page is a path on this origin.
    page = httpx.get(served.origin + "/graphql", headers={"accept": "text/html"})
    links = re.findall(r'(?:src|href)="([^"]*)"', page.text)

    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert links and all(link.startswith("/graphiql/") or link == "data:," for link in links)
    for link in links:
        if link.startswith("/"):
            assert httpx.get(served.origin + link).status_code == 200, link
