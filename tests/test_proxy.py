"""Two replicas behind the real nginx, on loopback: sessions stay on their replica, uploads work.

deploy/replicas.py starts two `streamlit run app.py` replicas and Debian's nginx with deploy/nginx.conf
(the file a server uses). bench/st_client.py speaks the browser's protocol through nginx: each client
loads the page (which sets its affinity cookie), opens the websocket with a browser's Origin, reruns, and
uploads. The checks:

- every client's requests (page, websocket, uploads) went to one replica, and the clients were spread
  over both (nginx's access log records the affinity cookie and the upstream of every request);
- a session's reruns keep working, and a dropped websocket reconnects to the same session (the same
  session id: only the replica that holds the session can give it back);
- uploads through nginx: a 500 KB file reaches the session's replica (Streamlit answers 400 "Invalid
  session_id" on the other one), a real config uploaded with the editor's file uploader becomes the
  network, and a file over the 1 MB limit gets 413 (from the replica just over it: server.maxUploadSize;
  from nginx well over it: client_max_body_size).

Not a browser test: it runs in the unit-test step. Without nginx it is skipped, or fails when CI=true or
REQUIRE_NGINX=1 (CI installs nginx: .ci/run).
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.st_client import StSession  # noqa: E402
from engine import load_preset, memo  # noqa: E402

_spec = importlib.util.spec_from_file_location("bt_replicas", REPO / "deploy" / "replicas.py")
replicas = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(replicas)

CLIENTS = 12  # all from 127.0.0.1: ip_hash would put every one on the same replica
pytestmark = pytest.mark.timeout(180)


def _required() -> bool:
    return os.environ.get("REQUIRE_NGINX") == "1" or os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    # NOTE: the clients run in this process's event loop. After the memory tests this process holds hundreds of
    # MB in the engine's caches, and one full garbage collection of that heap stalls the loop for seconds: long
    # enough for the replicas to count a client's websocket as gone. Start from an empty heap.
    for cache in list(memo._ALL):
        cache.clear()
    gc.collect()
    if replicas.find_nginx() is None:
        reason = "nginx is not installed (apt-get install -y nginx)"
        if _required():
            pytest.fail(f"{reason} (required: CI=true or REQUIRE_NGINX=1)", pytrace=False)
        pytest.skip(reason)
    dep = replicas.Deployment(replicas=2, log_dir=tmp_path_factory.mktemp("replicas"))
    with dep:
        yield dep


def _access_log(dep) -> list[dict[str, str]]:
    rows = []
    for line in dep.access_log.read_text().splitlines():
        m = re.search(r'"(\S+) (\S+) [^"]*" (\d+) \d+ cookie=(\S*) key=(\S*) upstream=(\S*)', line)
        if m:
            rows.append(dict(zip(("method", "path", "status", "cookie", "key", "upstream"), m.groups())))
    return rows


def _config(title: str, pad_to: int = 0) -> bytes:
    config = load_preset("note002").to_config()
    config = {k: v for k, v in config.items() if k not in ("id", "source", "title_zh", "description", "printed",
                                                           "experiments", "typos")}
    config["title"] = title
    text = json.dumps(config, indent=1)
    return (text + " " * max(0, pad_to - len(text))).encode()


async def _client(dep, i: int) -> dict:
    s = StSession(dep.url, query="preset=note002", user_agent=f"bt-proxy-test-{i}", origin=dep.url, timeout=60)
    status, headers, _ = await asyncio.to_thread(s.get, "/?preset=note002")  # the page: sets bt_affinity
    assert status == 200, status
    assert "bt_affinity" in s.cookies, headers
    await asyncio.to_thread(s.get, "/_stcore/health")  # Streamlit's XSRF cookie, as the page's scripts get it
    out = {"cookie": s.cookies["bt_affinity"], "runs": []}
    try:
        run = await s.open()
        out["runs"].append(run)
        session_id = s.session_id
        options = list(s.widgets["precision"].proto.options)
        out["runs"].append(await s.rerun({"precision": options[2]}))
        out["runs"].append(await s.rerun())
        # 500 KB through nginx to this session's replica; the other replica would answer 400.
        out["put_500k"], _ = await s.upload("big.json", _config("padded", 500_000))
        # A dropped websocket comes back to the same session: Streamlit keeps the id only when the replica
        # that answers holds that session (another replica would start a new one with a new id).
        run = await s.reconnect()
        out["runs"].append(run)
        out["same_session"] = s.session_id == session_id
        if i == 0:
            # The editor's file uploader, end to end: the uploaded config becomes the network.
            out["runs"].append(await s.rerun({"exp_editor": True}))
            out["put_widget"], run = await s.upload_to_widget("upload_config", "proxy.json", _config("Proxy upload 42"))
            out["runs"].append(run)
            out["title_shown"] = any("Proxy upload 42" in text for text in run.texts) if run else False
            # Over Streamlit's 1 MB (server.maxUploadSize) but under nginx's 1100k: the replica refuses it.
            out["put_over_limit"], _ = await s.upload("over.json", _config("over", 1_060_000))
            # Over nginx's client_max_body_size: nginx refuses it before any replica.
            out["put_too_big"], _ = await s.upload("huge.json", _config("huge", 1_500_000))
    finally:
        await s.close()
    return out


def test_sessions_stick_to_their_replica_and_uploads_work(deployment):
    async def main():
        return await asyncio.gather(*(_client(deployment, i) for i in range(CLIENTS)))

    results = asyncio.run(asyncio.wait_for(main(), 150))

    for i, r in enumerate(results):
        bad = [(run.status, run.exceptions) for run in r["runs"] if not run.ok]
        assert not bad, f"client {i}: runs failed through the proxy: {bad}"
        assert r["put_500k"] == 204, f"client {i}: 500 KB upload through nginx got HTTP {r['put_500k']}"
        assert r["same_session"], f"client {i}: the reconnect did not find its session (another replica?)"
    first = results[0]
    assert first["put_widget"] == 204
    assert first["title_shown"], "the config uploaded through nginx did not become the network"
    assert first["put_over_limit"] == 413, f"1.06 MB upload: HTTP {first['put_over_limit']} (expected 413)"
    assert first["put_too_big"] == 413, f"1.5 MB upload: HTTP {first['put_too_big']} (expected 413)"

    # nginx's log: each client's requests all went to one replica; the clients used both replicas.
    rows = _access_log(deployment)
    cookies = {r["cookie"] for r in results}
    assert len(cookies) == CLIENTS, "clients did not get distinct affinity cookies"
    upstreams_of = defaultdict(set)
    for row in rows:
        key = row["cookie"] if row["cookie"] != "-" and row["cookie"] else row["key"]
        if key in cookies and row["upstream"] not in ("-", ""):
            upstreams_of[key].add(row["upstream"])
    kinds = defaultdict(int)
    for row in rows:
        if row["cookie"] in cookies:
            kinds["stream" if row["path"].startswith("/_stcore/stream") else
                  "upload" if row["path"].startswith("/_stcore/upload_file") else "other"] += 1
    assert kinds["stream"] >= 2 * CLIENTS and kinds["upload"] >= CLIENTS, dict(kinds)
    for cookie in cookies:
        assert len(upstreams_of[cookie]) == 1, f"cookie {cookie}: requests went to {upstreams_of[cookie]}"
    used = set().union(*upstreams_of.values())
    expected = {f"127.0.0.1:{p}" for p in deployment.replica_ports}
    assert used == expected, f"{CLIENTS} clients used {used}, not both replicas {expected}"


def test_health_and_limits_through_the_proxy(deployment):
    status, headers, _, body = replicas_http(deployment.url + "/_stcore/health")
    assert (status, body) == (200, b"ok")
    # An oversized body is refused by nginx itself (client_max_body_size), before any replica.
    status, _, _, _ = replicas_http(deployment.url + "/_stcore/upload_file/x/y", "PUT", b"x" * 1_300_000,
                                    {"Content-Type": "application/octet-stream"})
    assert status == 413


def replicas_http(url, method="GET", data=None, headers=None):
    from bench.st_client import http_request

    return http_request(url, method, data, headers or {}, timeout=30)
