#!/usr/bin/env python3
"""Writes src/kernels/erf_coefficients.h: the polynomial coefficients of activ's vectorized
erf/erfc (src/kernels/erf-inl.h), fitted with mpmath at 40 digits.

Each polynomial interpolates its function at the Chebyshev nodes of its interval (near-minimax),
solved in monomials of (v - center) at high precision; the degree is the smallest whose
coefficients, rounded to double, approximate the function to a relative error below 2^-54
(a quarter of a double ULP; half for GELU's derivative), checked on a dense grid.

  erf(z)  = z * (2/sqrt(pi) + z^2 P(z^2))        0 <= z < 0.5
  erfc(a) = exp(-a^2) * P(a - center)           on each piece of [0.5, 6)
  erfc(a) = exp(-a^2) / a * P(1 / a^2)          a >= 6
  exp(r)  = 1 + r + r^2 * P(r)                  |r| <= ln(2) / 2 (relative to exp(r) - 1 - r)
  exp(x)  = 2^m 2^(j/16) (1 + r + r^2 P(r))     |r| <= ln(2) / 32 (float64_exp-inl.h), with
                                                2^(j/16) = hi + lo; P within 2^-46, which
                                                r^2 <= 2^-11 makes 2^-57 of exp(r)
  log(1 + e) = -log(c_j) + log(1 + r)           0 <= e <= 1 (float64_exp-inl.h), j = round(15 e),
  log(1 + r) = r + r^2 P(r)                     c_j = 1 / (1 + j / 15) rounded, r = (1 + e) c_j - 1,
                                                |r| <= 1/30; -log(c_j) = hi + lo; P within 2^-48,
                                                which |r| <= 1/30 makes 2^-53.9 of log(1 + r)

and, for GELU's float64 backward, its derivative next to its zero r, where Phi(x) + x phi(x)
cancels (both forms; the tanh form with torch's double constants):

  f'(x)   = t * P(t), t = x - r                 |t| < 0.375

Run: /usr/bin/python3 tools/gen_erf_coefficients.py
"""
import os

import mpmath as mp

mp.mp.dps = 40
TARGET = mp.mpf(2) ** -54
PIECES = [(0.0, 0.5, 0.25), (0.5, 1.5, 1.0), (1.5, 2.5, 2.0), (2.5, 3.5, 3.0), (3.5, 4.5, 3.9),
          (4.5, 6.0, 5.25)]
TAIL_START = 6.0


def erfcx(a):
    return mp.erfc(a) * mp.exp(a * a)


def fit(f, lo, hi, degree, center):
    n = degree + 1
    lo, hi, center = mp.mpf(lo), mp.mpf(hi), mp.mpf(center)
    nodes = [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (2 * k + 1) / (2 * n)) for k in range(n)]
    matrix = mp.matrix([[(v - center) ** j for j in range(n)] for v in nodes])
    coefficients = mp.lu_solve(matrix, mp.matrix([f(v) for v in nodes]))
    return [float(coefficients[j]) for j in range(n)]


def max_relative_error(f, coefficients, lo, hi, center, points=400):
    worst = mp.mpf(0)
    for k in range(points + 1):
        v = mp.mpf(lo) + (mp.mpf(hi) - mp.mpf(lo)) * k / points
        value = mp.mpf(0)
        for c in reversed(coefficients):
            value = value * (v - center) + mp.mpf(c)
        worst = max(worst, abs(value / f(v) - 1))
    return worst


def smallest_fit(f, lo, hi, center, name, target=TARGET):
    for degree in range(4, 40):
        coefficients = fit(f, lo, hi, degree, center)
        error = max_relative_error(f, coefficients, lo, hi, center)
        if error < target:
            print(f"{name}: degree {degree}, max relative error {float(error):.3g}")
            return coefficients
    raise RuntimeError(f"no fit for {name}")


def erf_series_rest(s):  # (erf(z) / z - 2 / sqrt(pi)) / z^2 at z = sqrt(s)
    if s == 0:
        return -2 / (3 * mp.sqrt(mp.pi))
    return (mp.erf(mp.sqrt(s)) / mp.sqrt(s) - 2 / mp.sqrt(mp.pi)) / s


def tail(v):  # a * erfcx(a) at a = 1 / sqrt(v)
    return erfcx(1 / mp.sqrt(v)) / mp.sqrt(v) if v > 0 else 1 / mp.sqrt(mp.pi)


def log1p_remainder(r):  # (log(1 + r) - r) / r^2; the series where the difference cancels
    if abs(r) < mp.mpf(10) ** -8:
        return sum((-r) ** k / (k + 2) for k in range(6)) * -1
    return (mp.log1p(r) - r) / (r * r)


def exp_remainder(r):  # (exp(r) - 1 - r) / r^2; the series where the difference cancels
    if abs(r) < mp.mpf(10) ** -8:
        return sum(r**k / mp.factorial(k + 2) for k in range(6))
    return (mp.exp(r) - 1 - r) / (r * r)


# |t| bounds of the series: the 'none' form's general formula (CdfPlusXPdfNegative in erf-inl.h)
# stays accurate closer to the root; float32's kernels fit their own series on ROOT_RADIUS.
ROOT_RADIUS = 0.375
NONE_ROOT_RADIUS = 0.125
GELU_TANH_SCALE = 1.4142135623730951 * 1.1283791670955126  # torch's double M_SQRT2 * M_2_SQRTPI
GELU_TANH_CUBIC = 0.044715


def gelu_derivative(x):
    return mp.erfc(-x / mp.sqrt(2)) / 2 + x * mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)


def gelu_tanh_derivative(x):
    w = mp.mpf(GELU_TANH_SCALE) * (x + mp.mpf(GELU_TANH_CUBIC) * x**3)
    dw = mp.mpf(GELU_TANH_SCALE) * (1 + 3 * mp.mpf(GELU_TANH_CUBIC) * x**2)
    s = 1 / (1 + mp.exp(-w))
    return s * (1 + x * dw * (1 - s))


def root_series(derivative, name, radius):
    """The zero r of derivative as (hi, lo) and Q with derivative(r + t) = t Q(t)."""
    root = mp.findroot(derivative, -0.75)
    slope = mp.diff(derivative, root)
    quotient = lambda t: derivative(root + t) / t if abs(t) > 1e-20 else slope
    # 2^-53: the rounding of P(0) to double alone reaches 2^-54 relative.
    series = smallest_fit(quotient, -radius, radius, 0, name, mp.mpf(2) ** -53)
    hi = float(root)
    return hi, float(root - hi), series


def array(name, values):
    body = ",\n    ".join(", ".join(f"{v!r}" for v in values[i:i + 3]) for i in range(0, len(values), 3))
    return f"inline constexpr double {name}[] = {{\n    {body}}};\n"


def main():
    small = smallest_fit(erf_series_rest, 0, 0.25, 0, "(erf(z)/z - 2/sqrt(pi))/z^2 in z^2")
    two_over_sqrt_pi = 2 / mp.sqrt(mp.pi)
    pieces = [smallest_fit(erfcx, lo, hi, c, f"erfcx on [{lo}, {hi})") for lo, hi, c in PIECES]
    degree = max(len(p) for p in pieces)
    pieces = [fit(erfcx, lo, hi, degree - 1, c) for lo, hi, c in PIECES]  # one degree for all
    for (lo, hi, c), p in zip(PIECES, pieces):
        assert max_relative_error(erfcx, p, lo, hi, c) < TARGET
    tail_poly = smallest_fit(tail, 0, 1 / mp.mpf(TAIL_START) ** 2, 0, "a erfcx(a) in 1/a^2")
    half_ln2 = mp.log(2) / 2
    exp_poly = smallest_fit(exp_remainder, -half_ln2, half_ln2, 0, "exp remainder")
    exp_table_poly = smallest_fit(exp_remainder, -mp.log(2) / 32, mp.log(2) / 32, 0,
                                  "exp remainder, table", target=mp.mpf(2) ** -46)
    exp2_hi = [float(mp.mpf(2) ** (mp.mpf(j) / 16)) for j in range(16)]
    exp2_lo = [float(mp.mpf(2) ** (mp.mpf(j) / 16) - hi) for j, hi in enumerate(exp2_hi)]
    # ln 2 = kLn2Hi + kLn2Lo, kLn2Hi with 32 significant bits: n * kLn2Hi is exact for |n| < 2^21.
    ln2_hi = float(mp.floor(mp.log(2) * 2 ** 32) / 2 ** 32)
    ln2_lo = float(mp.log(2) - ln2_hi)
    log_reciprocals = [float(1 / (1 + mp.mpf(j) / 15)) for j in range(16)]
    log_hi = [float(-mp.log(c)) for c in log_reciprocals]
    log_lo = [float(-mp.log(c) - hi) for c, hi in zip(log_reciprocals, log_hi)]
    log_poly = smallest_fit(log1p_remainder, -mp.mpf(1) / 30, mp.mpf(1) / 30, 0,
                            "log1p remainder, table", target=mp.mpf(2) ** -48)
    gelu_root = root_series(gelu_derivative, "GELU' / (x - r)", NONE_ROOT_RADIUS)
    gelu_tanh_root = root_series(gelu_tanh_derivative, "GELU tanh' / (x - r)", ROOT_RADIUS)

    out = [
        "// Generated by tools/gen_erf_coefficients.py (mpmath fits); do not edit, rerun it.\n",
        "// Polynomials of activ's vectorized erf/erfc (erf-inl.h), each within 2^-54 relative of\n",
        "// its function with these double coefficients; lowest degree first.\n",
        "#pragma once\n\n#include <cstddef>\n\nnamespace activ::kernels::erf_coefficients {\n\n",
        "// erf(z) = z * (kTwoOverSqrtPiHi + kTwoOverSqrtPiLo + z^2 P(z^2)) for |z| < 0.5.\n",
        f"inline constexpr double kTwoOverSqrtPiHi = {float(two_over_sqrt_pi)!r};\n",
        f"inline constexpr double kTwoOverSqrtPiLo = {float(two_over_sqrt_pi - float(two_over_sqrt_pi))!r};\n",
        array("kErfSmall", small), "\n",
        "// erfc(a) = exp(-a^2) * P(a - center) for a in [lo, hi).\n",
        f"inline constexpr std::size_t kPieces = {len(PIECES)};\n",
        array("kPieceLo", [p[0] for p in PIECES]), array("kPieceHi", [p[1] for p in PIECES]),
        array("kPieceCenter", [p[2] for p in PIECES]),
        f"inline constexpr double kPiece[kPieces][{degree}] = {{\n",
    ]
    for p in pieces:
        rows = [", ".join(f"{v!r}" for v in p[i:i + 3]) for i in range(0, len(p), 3)]
        out.append("    {" + ",\n     ".join(rows) + "},\n")
    out += [
        "};\n\n",
        f"// erfc(a) = exp(-a^2) / a * P(1 / a^2) for a >= kTailStart.\n",
        f"inline constexpr double kTailStart = {TAIL_START!r};\n", array("kTail", tail_poly), "\n",
        "// exp(r) = 1 + r + r^2 * P(r) for |r| <= ln(2) / 2.\n", array("kExpRemainder", exp_poly),
        "\n// ln(2) = kLn2Hi + kLn2Lo; kLn2Hi has 32 significant bits.\n",
        f"inline constexpr double kLn2Hi = {ln2_hi!r};\n",
        f"inline constexpr double kLn2Lo = {ln2_lo!r};\n",
        "\n// 2^(j/16) = kExp2Hi[j] + kExp2Lo[j], and exp(r) = 1 + r + r^2 * P(r) for |r| <= ln(2) / 32\n",
        "// (P within 2^-46: r^2 P(r) within 2^-57 of exp(r)).\n",
        array("kExp2Hi", exp2_hi), array("kExp2Lo", exp2_lo),
        array("kExpTableRemainder", exp_table_poly),
        "\n// log(1 + e) for e in [0, 1]: j = round(15 e), c_j = kLog1pReciprocal[j] (1 / (1 + j / 15)\n",
        "// rounded), r = (1 + e) c_j - 1, |r| <= 1/30, and log(1 + e) = kLog1pLogHi[j] + kLog1pLogLo[j]\n",
        "// + r + r^2 P(r) (P within 2^-48: r^2 P(r) within 2^-53.9 of log(1 + r)).\n",
        array("kLog1pReciprocal", log_reciprocals), array("kLog1pLogHi", log_hi),
        array("kLog1pLogLo", log_lo), array("kLog1pRemainder", log_poly),
        "\n// GELU's derivative f'(x) = t P(t), t = x - r, next to its zero r = hi + lo; 'none' form\n",
        "// for |t| < kGeluNoneRootRadius, 'tanh' form for |t| < kGeluRootRadius (float32's too).\n",
        f"inline constexpr double kGeluRootRadius = {ROOT_RADIUS!r};\n",
        f"inline constexpr double kGeluNoneRootRadius = {NONE_ROOT_RADIUS!r};\n",
        f"inline constexpr double kGeluRootHi = {gelu_root[0]!r};\n",
        f"inline constexpr double kGeluRootLo = {gelu_root[1]!r};\n",
        array("kGeluRootSeries", gelu_root[2]),
        f"inline constexpr double kGeluTanhRootHi = {gelu_tanh_root[0]!r};\n",
        f"inline constexpr double kGeluTanhRootLo = {gelu_tanh_root[1]!r};\n",
        array("kGeluTanhRootSeries", gelu_tanh_root[2]),
        "\n}  // namespace activ::kernels::erf_coefficients\n",
    ]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "kernels",
                        "erf_coefficients.h")
    with open(path, "w") as f:
        f.write("".join(out))
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
