"""A small client for Streamlit's browser protocol, for the load benchmark and the proxy test.

A Streamlit page talks to the server over one websocket, `/_stcore/stream`, in protobuf: the browser
sends `BackMsg`s (`rerun_script` with the query string, the page and every widget's value), the
server answers each run with `ForwardMsg`s (`new_session`, the page's elements as `delta`s,
`page_info_changed` when the script writes `st.query_params`, and `script_finished`). This client
does what the browser does, minus drawing: it opens a session, reruns it with widget values, learns
the widgets' ids from the deltas (a keyed widget's id is `$$ID-<hash>-<user key>`), follows the
query string and the page list, and times every run from the BackMsg sent to `script_finished`.

    session = StSession("http://127.0.0.1:8501", page="", query="preset=note002")
    run = await session.open()                      # connect + first run; run.ms, run.ok
    run = await session.rerun({"precision": "3 decimals"}, press="btn_next")
    await session.close()

Only loopback use is intended (the benchmark and tests). No proxy from the environment is used:
websocket connections and HTTP requests go straight to the given URL.
"""

from __future__ import annotations

import asyncio
import http.cookies
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

XSRF_COOKIE = "_streamlit_xsrf"
# How a widget type's value travels in WidgetState (the browser's choice for that element).
VALUE_FIELD = {
    "selectbox": "string_value",
    "text_area": "string_value",
    "text_input": "string_value",
    "checkbox": "bool_value",
    "button": "trigger_value",
    "number_input": "double_value",
    "expandable": "bool_value",  # st.expander(key=..., on_change="rerun"): open or closed
    "file_uploader": "file_uploader_state_value",
    "bidi_component": "json_value",  # st.components.v2 component: its whole state as JSON
}
FINAL = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
         ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


RECONNECT_DELAY_S = 0.5  # a pause before reconnecting a dropped websocket, as a browser backs off

class ProtocolError(RuntimeError):
    """The server closed the session or did not finish a run in time."""


@dataclass
class Widget:
    key: str  # the user key (`btn_next`, `precision`), or the whole id for an unkeyed widget
    id: str
    kind: str  # element type: selectbox, button, text_area, ...
    proto: Any
    fragment_id: str = ""  # the st.fragment it is drawn in ("" = none): its changes rerun just that fragment


@dataclass
class Run:
    """One script run as the client saw it."""

    ms: float  # BackMsg sent -> script_finished received
    status: str  # FINISHED_SUCCESSFULLY, ...; "timeout" / "closed" when it never finished
    exceptions: list[str] = field(default_factory=list)  # st.exception elements (an uncaught error in the app)
    messages: int = 0
    bytes: int = 0
    largest: int = 0  # the largest single ForwardMsg (bytes)
    session_id: str = ""
    texts: list[str] = field(default_factory=list)  # the bodies of the run's markdown, heading and text elements

    @property
    def ok(self) -> bool:
        return self.status in ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY") and not self.exceptions


def http_request(url: str, method: str = "GET", data: bytes | None = None, headers: dict | None = None,
                 timeout: float = 30) -> tuple[int, dict[str, str], list[str], bytes]:
    """(status, headers, Set-Cookie values, body); HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with _NO_PROXY.open(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.headers.get_all("Set-Cookie") or [], r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.headers.get_all("Set-Cookie") or [], e.read()


def parse_cookies(set_cookie_values: list[str]) -> dict[str, str]:
    jar: dict[str, str] = {}
    for value in set_cookie_values:
        c = http.cookies.SimpleCookie()
        c.load(value)
        jar.update({k: m.value for k, m in c.items()})
    return jar


def multipart(field_name: str, filename: str, content: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field_name}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class StSession:
    """One browser tab's session: a websocket to `/_stcore/stream` and the state the browser keeps."""

    def __init__(self, base_url: str, page: str = "", query: str = "", timeout: float = 60,
                 cookies: dict[str, str] | None = None, user_agent: str | None = None,
                 origin: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.page = page.strip("/")  # url path of the page ("" = the default page, "check", ...)
        self.query = query
        self.timeout = timeout
        self.cookies: dict[str, str] = dict(cookies or {})
        self.user_agent = user_agent or "bt-st-client"
        self.origin = origin  # sent on the websocket handshake, as a browser does (None: no Origin header)
        self.ws = None
        self.session_id = ""
        self.page_hashes: dict[str, str] = {}  # url path -> page_script_hash (from `navigation`)
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}  # by user key, as rendered by the last run
        self.blocks: set[str] = set()  # keys of keyed containers in the last run (`formula`, ...)
        self.values: dict[str, WidgetState] = {}  # widget id -> last value sent (what the browser keeps)
        self.elements = 0  # elements in the last run

    # --- the HTTP side (what the browser does before it opens the websocket) -------------------------

    def _cookie_header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def get(self, path: str, headers: dict | None = None, **kw) -> tuple[int, dict, bytes]:
        """GET on the server with this session's cookies; keeps the cookies it sets."""
        status, headers, set_cookies, body = http_request(
            self.base_url + path, headers={**self._cookie_header(), "User-Agent": self.user_agent, **(headers or {})},
            **kw)
        self.cookies.update(parse_cookies(set_cookies))
        return status, headers, body

    def fetch_page(self) -> int:
        """The page's HTML and the scripts and styles it links (not the lazy chunks), asked for with
        `Accept-Encoding: gzip` as a browser does; returns the bytes read (as sent)."""
        import re

        total = 0
        status, _, html = self.get("/" + self.page + (f"?{self.query}" if self.query else ""))
        if status != 200:
            raise ProtocolError(f"GET page: HTTP {status}")
        total += len(html)
        for asset in re.findall(rb'(?:src|href)="(\./static/[^"]+\.(?:js|css))"', html)[:60]:
            status, _, body = self.get("/" + asset.decode()[2:], headers={"Accept-Encoding": "gzip"})
            if status != 200:
                raise ProtocolError(f"GET {asset.decode()}: HTTP {status}")
            total += len(body)
        return total

    # --- the websocket ---------------------------------------------------------------------------------

    async def connect(self, reconnect_to: str | None = None) -> None:
        url = self.base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + "/_stcore/stream"
        # Subprotocol entries: "streamlit", the XSRF token (the cookie's value), the session to reconnect to.
        protos = ["streamlit"]
        if reconnect_to or XSRF_COOKIE in self.cookies:
            protos.append(self.cookies.get(XSRF_COOKIE, "") or "none")
        if reconnect_to:
            protos.append(reconnect_to)
        self.ws = await websockets.connect(
            url, subprotocols=protos, additional_headers=self._cookie_header(), user_agent_header=self.user_agent,
            origin=self.origin, proxy=None, max_size=None, open_timeout=self.timeout, compression=None)

    async def open(self) -> Run:
        """Connect and run the page as a fresh tab does (page name + query string, no widget values)."""
        t0 = time.perf_counter()
        await self.connect()
        run = await self._run(page_name=self.page)
        run.ms = (time.perf_counter() - t0) * 1000
        return run

    async def reconnect(self) -> Run:
        """Drop the websocket and reconnect to the same session id (a network blip); then rerun."""
        old = self.session_id
        await self.ws.close()
        # NOTE: like the browser, which reconnects after a backoff: a reconnect that arrives before the server has
        # handled the old socket's close races it (the server then detaches the session from the new socket too,
        # and the rerun below gets no answer at all).
        await asyncio.sleep(RECONNECT_DELAY_S)
        await self.connect(reconnect_to=old)
        return await self.rerun()

    async def rerun(self, values: dict[str, Any] | None = None, press: str | None = None,
                    page: str | None = None, fragment_id: str = "") -> Run:
        """Rerun with widget values by user key (kept for later runs, like the browser) and a button press;
        with `fragment_id`, only that st.fragment reruns (what the browser does for a widget inside one).

        Keys the last run did not render raise KeyError: the caller decides what to do.
        """
        for key, value in (values or {}).items():
            w = self.widgets[key]
            ws = WidgetState(id=w.id)
            name = VALUE_FIELD.get(w.kind, "string_value")
            if hasattr(value, "SerializeToString"):  # a proto value (FileUploaderState)
                getattr(ws, name).CopyFrom(value)
            else:
                setattr(ws, name, value)
            self.values[w.id] = ws
        triggers = []
        if press is not None:
            w = self.widgets[press]
            triggers.append(WidgetState(id=w.id, trigger_value=True))
        page_hash = self.page_hash
        if page is not None:
            page_hash = self.page_hashes[page.strip("/")]
            self.page = page.strip("/")
        return await self._run(page_hash=page_hash, extra=triggers, fragment_id=fragment_id)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def _run(self, page_hash: str = "", page_name: str = "", extra: list[WidgetState] | None = None,
                   fragment_id: str = "") -> Run:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query
        rs.page_script_hash = page_hash
        rs.page_name = page_name
        rs.fragment_id = fragment_id
        rs.widget_states.widgets.extend(list(self.values.values()) + list(extra or []))
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = Run(ms=0.0, status="timeout")
        widgets: dict[str, Widget] = {}
        blocks: set[str] = set()
        elements = 0
        deadline = t0 + self.timeout
        try:
            while True:
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError
                data = await asyncio.wait_for(self.ws.recv(), left)
                run.messages += 1
                run.bytes += len(data)
                run.largest = max(run.largest, len(data))
                fm = ForwardMsg()
                fm.ParseFromString(data)
                kind = fm.WhichOneof("type")
                if kind == "delta":
                    d = fm.delta
                    if d.WhichOneof("type") == "new_element":
                        elements += 1
                        ek = d.new_element.WhichOneof("type")
                        sub = getattr(d.new_element, ek)
                        if ek == "exception":
                            run.exceptions.append(f"{sub.type}: {sub.message}"[:300])
                        elif ek in ("markdown", "heading", "text"):
                            run.texts.append(sub.body)
                        wid = getattr(sub, "id", "") if "id" in sub.DESCRIPTOR.fields_by_name else ""
                        if wid:
                            key = wid.split("-", 2)[2] if wid.startswith("$$ID-") and wid.count("-") >= 2 else wid
                            widgets[key] = Widget(key, wid, ek, sub, d.fragment_id)
                    elif d.WhichOneof("type") == "add_block" and d.add_block.HasField("id"):
                        bid = d.add_block.id
                        key = bid.split("-", 2)[2] if bid.startswith("$$ID-") and bid.count("-") >= 2 else bid
                        blocks.add(key)
                        kind = d.add_block.WhichOneof("type")
                        if kind == "expandable":  # a keyed expander is a widget (its value: open)
                            widgets[key] = Widget(key, bid, kind, d.add_block)
                elif kind == "new_session":
                    self.session_id = fm.new_session.initialize.session_id or self.session_id
                    self.page_hash = fm.new_session.page_script_hash or self.page_hash
                elif kind == "navigation":
                    nav = fm.navigation
                    self.page_hashes = {p.url_pathname: p.page_script_hash for p in nav.app_pages}
                    self.page_hash = nav.page_script_hash or self.page_hash
                elif kind == "page_info_changed":
                    self.query = fm.page_info_changed.query_string
                elif kind == "page_not_found":
                    run.exceptions.append(f"page not found: {fm.page_not_found.page_name}")
                elif kind == "script_finished" and fm.script_finished in FINAL:
                    run.status = ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished)
                    break
        except TimeoutError:
            run.status = "timeout"
        except websockets.ConnectionClosed as e:
            run.status = f"closed ({e.rcvd.code if e.rcvd else 'no close frame'})"
        run.ms = (time.perf_counter() - t0) * 1000
        run.session_id = self.session_id
        if run.status.startswith("FINISHED") and fragment_id:  # only the fragment's elements came again
            self.widgets.update(widgets)
            self.blocks |= blocks
        elif run.status.startswith("FINISHED"):
            self.widgets, self.blocks, self.elements = widgets, blocks, elements
            # Widgets that are gone are no longer sent (the browser drops their state too).
            live = {w.id for w in widgets.values()}
            self.values = {k: v for k, v in self.values.items() if k in live}
        return run

    # --- uploads (what st.file_uploader does) -------------------------------------------------------------

    async def upload(self, filename: str, content: bytes, content_type: str = "application/json") -> tuple[int, str]:
        """Ask the session for an upload URL (BackMsg file_urls_request), then PUT the file there.

        Returns (HTTP status, file_id). The PUT carries the XSRF cookie and header, as the browser's does.
        """
        msg = BackMsg()
        request_id = uuid.uuid4().hex
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.file_names.append(filename)
        msg.file_urls_request.session_id = self.session_id
        await self.ws.send(msg.SerializeToString())
        deadline = time.perf_counter() + self.timeout
        while True:
            data = await asyncio.wait_for(self.ws.recv(), max(0.01, deadline - time.perf_counter()))
            fm = ForwardMsg()
            fm.ParseFromString(data)
            if fm.WhichOneof("type") == "file_urls_response" and fm.file_urls_response.response_id == request_id:
                break
        resp = fm.file_urls_response
        if resp.error_msg:
            raise ProtocolError(f"file_urls_request: {resp.error_msg}")
        urls = resp.file_urls[0]
        body, ctype = multipart("file", filename, content, content_type)
        upload_url = urls.upload_url
        if upload_url.startswith("/"):
            upload_url = self.base_url + upload_url
        elif not upload_url.startswith("http"):
            upload_url = self.base_url + "/" + upload_url
        headers = {**self._cookie_header(), "Content-Type": ctype, "User-Agent": self.user_agent}
        if XSRF_COOKIE in self.cookies:
            headers["X-Xsrftoken"] = self.cookies[XSRF_COOKIE]
        status, _, _, _ = await asyncio.to_thread(http_request, upload_url, "PUT", body, headers)
        self._last_upload_urls = urls
        return status, urls.file_id

    async def upload_to_widget(self, key: str, filename: str, content: bytes,
                               content_type: str = "application/json") -> tuple[int, Run | None]:
        """What choosing a file in an st.file_uploader does: upload it, then rerun with the widget's new
        value. Returns (HTTP status of the PUT, the rerun or None when the PUT failed)."""
        from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo

        status, file_id = await self.upload(filename, content, content_type)
        if status != 204:
            return status, None
        state = FileUploaderState()
        info = UploadedFileInfo(name=filename, size=len(content), file_id=file_id)
        info.file_urls.CopyFrom(self._last_upload_urls)
        state.uploaded_file_info.append(info)
        return status, await self.rerun({key: state})
