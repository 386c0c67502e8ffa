"""An independent recomputation of the worked examples of notes 000-003, by hand, in plain Python.

No numpy and no engine: every formula is written out the way the notes write it, so the tests can use
these numbers as a second opinion on the engine and so we can tell which printed numbers are slips.
Each function returns {step id: value} with the step ids of docs/engine.md.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def hand_round(value: float, decimals: int) -> float:
    """Round half away from zero on the decimal digits, as a person does."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def rounds_to(value: float, text: str) -> bool:
    """True when `value`, rounded (half away from zero) to the decimals written in `text`, reads `text`.

    The value is first cut to 12 significant digits so binary noise (0.3775 stored as
    0.37749999999999995) does not decide a tie.
    """
    places = len(text.split(".")[1]) if "." in text else 0
    clean = Decimal(format(value, ".12g"))
    return clean.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) == Decimal(text)


# ---------------------------------------------------------------------------------------------------
# Note 000: 2-2-1 linear, no biases, E = 1/2 (y - t)^2, eta = 0.1, each weight updated right after
# its gradient, gradients with the old weights.
# ---------------------------------------------------------------------------------------------------
def note000() -> dict[str, float]:
    x1, x2, t, eta = 1.0, 0.5, 4.0, 0.1
    w1, w2, w3, w4, w5, w6 = 0.5, 1.5, 2.3, 3.0, 1.0, 1.0
    v: dict[str, float] = {}
    h1 = w1 * x1 + w2 * x2
    h2 = w3 * x1 + w4 * x2
    y = w5 * h1 + w6 * h2
    E = 0.5 * (y - t) ** 2
    v.update({"z:l1:n1:s1": h1, "a:l1:n1:s1": h1, "z:l1:n2:s1": h2, "a:l1:n2:s1": h2,
              "z:l2:n1:s1": y, "a:l2:n1:s1": y, "sample_loss:s1": E, "loss": E})
    dE_dy = y - t  # d/dy of 1/2 (y - t)^2
    v["dE_da:l2:n1:s1"] = dE_dy
    v["da_dz:l2:n1:s1"] = 1.0
    v["delta:l2:n1:s1"] = dE_dy
    v["dz_dw:l2:n1:k1:s1"] = h1
    v["dE_dw:l2:n1:k1"] = g5 = dE_dy * h1
    v["new_w:l2:n1:k1"] = n5 = w5 - eta * g5
    v["dz_dw:l2:n1:k2:s1"] = h2
    v["dE_dw:l2:n1:k2"] = g6 = dE_dy * h2
    v["new_w:l2:n1:k2"] = n6 = w6 - eta * g6
    # hidden: the old w5 and w6 (not w5+), as the note warns
    v["dz_da:l2:n1:k1"] = w5
    v["dz_da:l2:n1:k2"] = w6
    d1 = dE_dy * w5
    d2 = dE_dy * w6
    v.update({"dE_da:l1:n1:s1": d1, "da_dz:l1:n1:s1": 1.0, "delta:l1:n1:s1": d1,
              "dE_da:l1:n2:s1": d2, "da_dz:l1:n2:s1": 1.0, "delta:l1:n2:s1": d2})
    g1, g2, g3, g4 = d1 * x1, d1 * x2, d2 * x1, d2 * x2
    v.update({"dz_dw:l1:n1:k1:s1": x1, "dz_dw:l1:n1:k2:s1": x2, "dz_dw:l1:n2:k1:s1": x1, "dz_dw:l1:n2:k2:s1": x2,
              "dE_dw:l1:n1:k1": g1, "dE_dw:l1:n1:k2": g2, "dE_dw:l1:n2:k1": g3, "dE_dw:l1:n2:k2": g4})
    n1, n2, n3, n4 = w1 - eta * g1, w2 - eta * g2, w3 - eta * g3, w4 - eta * g4
    v.update({"new_w:l1:n1:k1": n1, "new_w:l1:n1:k2": n2, "new_w:l1:n2:k1": n3, "new_w:l1:n2:k2": n4})
    H1 = n1 * x1 + n2 * x2
    H2 = n3 * x1 + n4 * x2
    Y = n5 * H1 + n6 * H2
    E2 = 0.5 * (Y - t) ** 2
    v.update({"check.z:l1:n1:s1": H1, "check.a:l1:n1:s1": H1, "check.z:l1:n2:s1": H2, "check.a:l1:n2:s1": H2,
              "check.z:l2:n1:s1": Y, "check.a:l2:n1:s1": Y, "sample_loss_after:s1": E2, "loss_after": E2,
              "loss_change": E2 - E})
    return v


# ---------------------------------------------------------------------------------------------------
# Note 001: 1-1-1 sigmoid with biases, Loss = 1/2 (y - y_o)^2, eta = 0.5; y_h and y_o rounded to
# 2 decimals by hand and the rounded values used from then on (also in y(1 - y)).
# ---------------------------------------------------------------------------------------------------
def note001() -> dict[str, float]:
    x, y, eta = 1.0, 0.8, 0.5
    w_h, b_h, w_o, b_o = 0.2, 0.1, 0.3, 0.2
    v: dict[str, float] = {}
    z_h = w_h * x + b_h
    y_h = hand_round(sigmoid(z_h), 2)
    z_o = w_o * y_h + b_o
    y_o = hand_round(sigmoid(z_o), 2)
    loss = 0.5 * (y - y_o) ** 2
    v.update({"z:l1:n1:s1": z_h, "a:l1:n1:s1": y_h, "z:l2:n1:s1": z_o, "a:l2:n1:s1": y_o,
              "sample_loss:s1": loss, "loss": loss})
    dL_dyo = -(y - y_o)
    dyo_dzo = y_o * (1 - y_o)
    delta_o = dL_dyo * dyo_dzo
    v.update({"dE_da:l2:n1:s1": dL_dyo, "da_dz:l2:n1:s1": dyo_dzo, "delta:l2:n1:s1": delta_o,
              "dz_dw:l2:n1:k1:s1": y_h, "dE_dw:l2:n1:k1": delta_o * y_h,
              "new_w:l2:n1:k1": w_o - eta * delta_o * y_h,
              "dz_db:l2:n1": 1.0, "dE_db:l2:n1": delta_o, "new_b:l2:n1": b_o - eta * delta_o})
    dzo_dyh = w_o
    dL_dyh = delta_o * dzo_dyh
    dyh_dzh = y_h * (1 - y_h)
    delta_h = dL_dyh * dyh_dzh
    v.update({"dz_da:l2:n1:k1": dzo_dyh, "dE_da:l1:n1:s1": dL_dyh, "da_dz:l1:n1:s1": dyh_dzh,
              "delta:l1:n1:s1": delta_h, "dz_dw:l1:n1:k1:s1": x, "dE_dw:l1:n1:k1": delta_h * x,
              "new_w:l1:n1:k1": w_h - eta * delta_h * x,
              "dz_db:l1:n1": 1.0, "dE_db:l1:n1": delta_h, "new_b:l1:n1": b_h - eta * delta_h})
    return v


# ---------------------------------------------------------------------------------------------------
# Note 002: 2-2-1 sigmoid, one bias b1 shared by both hidden neurons, output bias b2, batch of two,
# E_total = mean of E_s = 1/2 (y_s - a_o)^2, eta = 0.5. No hand rounding.
# ---------------------------------------------------------------------------------------------------
NOTE002_SAMPLES = (([0.05, 0.10], 0.01), ([0.80, 0.20], 0.99))


def note002() -> dict[str, float]:
    w = [[0.15, 0.20], [0.25, 0.30]]
    b1 = 0.35
    wo = [0.40, 0.45]
    b2 = 0.60
    eta = 0.5
    v: dict[str, float] = {}
    per: list[dict] = []
    for s, (x, y) in enumerate(NOTE002_SAMPLES, 1):
        z = [w[j][0] * x[0] + w[j][1] * x[1] + b1 for j in range(2)]
        a = [sigmoid(zj) for zj in z]
        zo = wo[0] * a[0] + wo[1] * a[1] + b2
        ao = sigmoid(zo)
        E = 0.5 * (y - ao) ** 2
        for j in range(2):
            v[f"z:l1:n{j + 1}:s{s}"] = z[j]
            v[f"a:l1:n{j + 1}:s{s}"] = a[j]
        v[f"z:l2:n1:s{s}"] = zo
        v[f"a:l2:n1:s{s}"] = ao
        v[f"sample_loss:s{s}"] = E
        per.append({"x": x, "a": a, "ao": ao, "E": E})
    v["loss"] = (per[0]["E"] + per[1]["E"]) / 2
    for s, p in enumerate(per, 1):
        y = NOTE002_SAMPLES[s - 1][1]
        p["dE_dao"] = p["ao"] - y
        p["dao_dzo"] = p["ao"] * (1 - p["ao"])
        p["delta_o"] = p["dE_dao"] * p["dao_dzo"]
        v[f"dE_da:l2:n1:s{s}"] = p["dE_dao"]
        v[f"da_dz:l2:n1:s{s}"] = p["dao_dzo"]
        v[f"delta:l2:n1:s{s}"] = p["delta_o"]
    for k in range(2):  # w5, w6
        per_sample = [p["delta_o"] * p["a"][k] for p in per]
        for s, g in enumerate(per_sample, 1):
            v[f"dz_dw:l2:n1:k{k + 1}:s{s}"] = per[s - 1]["a"][k]
            v[f"dE_dw:l2:n1:k{k + 1}:s{s}"] = g
        v[f"dE_dw:l2:n1:k{k + 1}"] = g = sum(per_sample) / 2
        v[f"new_w:l2:n1:k{k + 1}"] = wo[k] - eta * g
    for s, p in enumerate(per, 1):
        v[f"dE_db:l2:n1:s{s}"] = p["delta_o"]
    v["dE_db:l2:n1"] = gb2 = (per[0]["delta_o"] + per[1]["delta_o"]) / 2
    v["new_b:l2:n1"] = b2 - eta * gb2
    # hidden layer
    for j in range(2):
        v[f"dz_da:l2:n1:k{j + 1}"] = wo[j]
        for s, p in enumerate(per, 1):
            dE_da = p["delta_o"] * wo[j]
            da_dz = p["a"][j] * (1 - p["a"][j])
            v[f"dE_da:l1:n{j + 1}:s{s}"] = dE_da
            v[f"da_dz:l1:n{j + 1}:s{s}"] = da_dz
            v[f"delta:l1:n{j + 1}:s{s}"] = dE_da * da_dz
        for k in range(2):
            per_sample = [v[f"delta:l1:n{j + 1}:s{s}"] * per[s - 1]["x"][k] for s in (1, 2)]
            for s, g in enumerate(per_sample, 1):
                v[f"dE_dw:l1:n{j + 1}:k{k + 1}:s{s}"] = g
            v[f"dE_dw:l1:n{j + 1}:k{k + 1}"] = g = sum(per_sample) / 2
            v[f"new_w:l1:n{j + 1}:k{k + 1}"] = w[j][k] - eta * g
    # the shared b1: dE/db1 sums over both hidden neurons it feeds
    for s in (1, 2):
        v[f"dE_db:l1:s{s}"] = v[f"delta:l1:n1:s{s}"] + v[f"delta:l1:n2:s{s}"]
    v["dE_db:l1"] = gb1 = (v["dE_db:l1:s1"] + v["dE_db:l1:s2"]) / 2
    v["new_b:l1"] = b1 - eta * gb1
    return v


# ---------------------------------------------------------------------------------------------------
# Note 003: 3-2-1 linear, no biases; w_ij from input i to hidden j. Forward pass and the trial nudge.
# ---------------------------------------------------------------------------------------------------
def note003_forward(w31: float = 0.3, w11p: float = 0.7, w21p: float = 0.8) -> dict[str, float]:
    a1, a2, a3 = 1.0, 2.0, 3.0
    w11, w12, w21, w22, w32 = 0.5, 0.6, 0.4, 0.3, 0.2
    h1 = a1 * w11 + a2 * w21 + a3 * w31
    h2 = a1 * w12 + a2 * w22 + a3 * w32
    out = h1 * w11p + h2 * w21p
    return {"a:l1:n1:s1": h1, "a:l1:n2:s1": h2, "a:l2:n1:s1": out, "dE_da:l2:n1:s1": out - 3.2,
            "loss": 0.5 * (out - 3.2) ** 2}


if __name__ == "__main__":  # print the numbers to compare with the notes
    for name, fn in (("note000", note000), ("note001", note001), ("note002", note002), ("note003", note003_forward)):
        print(f"== {name}")
        for key, value in fn().items():
            print(f"  {key:24s} {value!r}")
    print("== note003 nudge", note003_forward(0.35, 0.78, 0.83))
