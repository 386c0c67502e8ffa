"""Large networks are prepared one at a time (ui.state.prepare), so concurrent uploads stay under the memory ceiling."""

from __future__ import annotations

import threading
import time

from engine import load_preset, parse_config
from ui import state

LARGEST = {"layers": [{"activation": "sigmoid", "weights": [[0.1] * 10] * 10, "bias": [0.1] * 10}
                      for _ in range(6)],
           "learning_rate": 0.1, "samples": [{"x": [0.1] * 10, "target": [0.5] * 10}] * 16}


def test_large_networks_wait_for_each_other_and_small_ones_do_not(monkeypatch):
    running, most = 0, {"large": 0, "small": 0}
    lock = threading.Lock()

    def fake_prepare(network):
        nonlocal running
        kind = "large" if state.is_large(network) else "small"
        with lock:
            running += 1
            most[kind] = max(most[kind], running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return kind

    monkeypatch.setattr(state, "_prepare", fake_prepare)
    large, small = parse_config(LARGEST), load_preset("note002")
    assert state.is_large(large) and not state.is_large(small)
    for network in (large, small):
        threads = [threading.Thread(target=state.prepare, args=(network,)) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert most["large"] == 1  # never two at once
    assert most["small"] > 1  # the presets never queue
