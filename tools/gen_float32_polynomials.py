#!/usr/bin/python3
"""Writes src/kernels/float32_polynomials.h: the polynomials of the native float32 kernels
(src/kernels/activation_float32-inl.h), fitted to float32 precision so that they need fewer
terms than the float64 ones of tools/gen_activation_polynomials.py.

  SiLU'        f'(x) = t Q(t), t = x - r, r the zero of f', |t| < 0.625
  GELU         Phi(x) - 1/2 = x P(x^2) for |x| <= 1;
               Phi(-y) = exp(-y^2 / 2) P(1 / y - c) / y for 1 <= y <= 14, centred on the
               middle c (in 1 / y itself the coefficients grow to 30 and cancel)
  GELU'        f'(x) = t Q(t), t = x - r, |t| < 0.375
  GELU table   for |x| <= 6, the fast path: 16 intervals of y = |x|, uniform in u = y (y + 8)
               (narrow where the functions fall fast), each with a degree-7 polynomial in
               t = y - c_i of Phi(-y) (forward) and of Phi(-y) - y phi(y) (derivative), and a
               degree-9 one of GELU(approximate='tanh')'s f'(-y)
  GELU tanh    for |x| <= 6, sigma(w(-y)), w(y) = 2 sqrt(2 / pi) (y + 0.044715 y^3): 16
               intervals uniform in y (1 + 0.044715 y^2), degree 7
  Logistic     for |x| <= 18: sigma(-y) and log1p(exp(-y)), 16 intervals uniform in y, degree 7;
               on the same intervals SiLU'(-y) (centred on its root in the interval holding it);
               1 - exp(-y) (centred on its root 0) for ELU, CELU and SELU
  Mish         for -18 <= x <= 18: 32 intervals uniform in x (AVX-512 looks up 32 entries in one
               instruction), the factor tanh(softplus(x)) (degree 7) and Mish'(x) (degree 9,
               centred on its root in the interval holding it)
  Tanh         for |x| <= 9.125: tanh(y), 16 intervals uniform in y, degree 7 (the first centred
               on the root 0 with a zero constant term); on the same intervals
               (y - tanh(y)) / y^3 for Tanhshrink (no cancellation near 0)

Each is a Chebyshev fit (mpmath.chebyfit, 40 digits) of the smallest degree whose relative
error is below 2^-30 on its interval. In a table, the interval holding a root of f (and a
neighbour the root is close to) is centred on the root's float32 value hi and fitted as
(t - lo) Q(t), lo = root - hi, so that relative accuracy holds through the root. Run:  /usr/bin/python3 tools/gen_float32_polynomials.py
"""
import os
import struct
import sys

from mpmath import mp, mpf, erfc, exp, log1p, sqrt, pi, findroot, diff, chebyfit, tanh, expm1

sys.path.insert(0, os.path.dirname(__file__))
import gen_activation_polynomials as f64  # noqa: E402  (the functions and root quotients)

mp.dps = 40
TARGET = mpf(2) ** -30


def fit(g, a, b, name):
    smallest = min(abs(g(a + (b - a) * k / 200)) for k in range(201))
    for n in range(3, 40):
        coefficients, error = chebyfit(g, [a, b], n, error=True)
        if error / smallest < TARGET:
            print(f"{name}: degree {n - 1}, relative error {float(error / smallest):.3g}")
            return list(reversed(coefficients))
    raise RuntimeError(name + ": no fit")


def normal_cdf(x):
    return erfc(-x / sqrt(2)) / 2


def normal_pdf(x):
    return exp(-x * x / 2) / sqrt(2 * pi)


def gelu_derivative(x):
    return normal_cdf(x) + x * normal_pdf(x)


# GELU(approximate='tanh') = x sigma(w(x)), w(x) = 2 sqrt(2 / pi) (x + 0.044715 x^3).
def gelu_tanh_argument(y):
    return 2 * sqrt(2 / pi) * (y + mpf("0.044715") * y**3)


def gelu_tanh_lower(y):  # sigma(w(-y))
    return 1 / (1 + exp(gelu_tanh_argument(y)))


def gelu_tanh_derivative_lower(y):  # f'(-y) = sigma(-w) - y w'(y) sigma(w) sigma(-w), w = w(y)
    w = gelu_tanh_argument(y)
    slope = 2 * sqrt(2 / pi) * (1 + 3 * mpf("0.044715") * y * y)
    return 1 / (1 + exp(w)) - y * slope / ((1 + exp(w)) * (1 + exp(-w)))


def central_quotient(s):  # (Phi(x) - 1/2) / x at x = sqrt(s)
    if s == 0:
        return 1 / sqrt(2 * pi)
    x = sqrt(s)
    return (normal_cdf(x) - mpf(1) / 2) / x


def tail_quotient(z):  # y exp(y^2 / 2) Phi(-y) at y = 1 / z
    y = 1 / z
    return y * exp(y * y / 2) * normal_cdf(-y)


# The GELU tables: interval i covers u = y (y + offset) in [i - 1/2, i + 1/2] / scale (the first
# one from 0): the kernel rounds u scale to the nearest integer; the scale keeps u(reach) short of
# the last interval's end.
TABLE_INTERVALS = 16
TABLE_REACH = mpf(6)
TABLE_OFFSET = mpf(8)
TABLE_DEGREE = 7


TABLE_SCALE = float((TABLE_INTERVALS - mpf(1) / 2) / (TABLE_REACH * (TABLE_REACH + TABLE_OFFSET))) * (1 - 2.0**-20)


def table_interval(i):
    def y_of(u):
        return (-TABLE_OFFSET + sqrt(TABLE_OFFSET**2 + 4 * u)) / 2
    # a margin for the rounding of the index computation
    a = y_of(max(mpf(i) - mpf(1) / 2, mpf(0)) / TABLE_SCALE) * (1 - mpf(2) ** -18)
    b = y_of((mpf(i) + mpf(1) / 2) / TABLE_SCALE) * (1 + mpf(2) ** -18)
    return a, b


def uniform_scale(reach):
    """The index scale of 16 intervals uniform in y up to the reach (rounding margin below)."""
    return float((TABLE_INTERVALS - mpf(1) / 2) / reach) * (1 - 2.0**-20)


def float32(value):
    return struct.unpack("f", struct.pack("f", float(value)))[0]


def uniform_intervals(scale):
    """Intervals i = round(y scale): y scale in [i - 1/2, i + 1/2] (the first from 0)."""
    def interval(i):
        a = mpf(0) if i == 0 else (mpf(i) - mpf(1) / 2) / scale * (1 - mpf(2) ** -18)
        b = (mpf(i) + mpf(1) / 2) / scale * (1 + mpf(2) ** -18)
        return a, b
    return interval


def signed_intervals(scale, reach):
    """The 32 intervals i = round(x scale + 16) of x in [-reach, reach], reach scale < 15.5:
    x scale in [i - 16.5, i - 15.5] (the first one only the point -reach, with its margin)."""
    def interval(i):
        a = (mpf(i) - mpf(33) / 2) / scale
        b = (mpf(i) - mpf(31) / 2) / scale
        a, b = a - abs(a) * mpf(2) ** -18, b + abs(b) * mpf(2) ** -18
        return max(a, -reach * (1 + mpf(2) ** -18)), b
    return interval


# The logistic tables (sigma(-y), log1p(exp(-y))) up to the reach, where 1 - sigma(-y) rounds
# to 1 and y + log1p(exp(-y)) to y.
LOGISTIC_REACH = mpf(18)
LOGISTIC_SCALE = uniform_scale(LOGISTIC_REACH)
# The tanh table up to the reach, beyond which tanh rounds to 1 (from 9.011 on).
TANH_REACH = mpf("9.125")
TANH_SCALE = uniform_scale(TANH_REACH)
# Mish's tables over x in [-18, 18]: 32 intervals as wide as the logistic ones.
MISH_SCALE = LOGISTIC_SCALE


def piecewise_table(f, interval, label, root=None, degree=TABLE_DEGREE, entries=TABLE_INTERVALS,
                    tail_centred=False):
    """Per interval: centre c and the Chebyshev fit of f(c + t) (degree 7 and 16 intervals unless
    told; with a root, (t - lo) Q(t) next to it). tail_centred: a table with centres of its own
    may centre tail intervals on their end (below)."""
    centres, rows = [], []
    worst = 0
    # the interval holding the root is centred on it, and so is a neighbour when the root lies
    # within a quarter of the width from their boundary (near its end, the neighbour's f would
    # be small next to its value at the centre, and cancel in float32)
    near_root = set()
    for i in range(entries):
        a, b = interval(i)
        if root is not None and a <= root <= b:
            near_root.add(i)
            if root - a < (b - a) / 4 and i > 0:
                near_root.add(i - 1)
            if b - root < (b - a) / 4 and i + 1 < entries:
                near_root.add(i + 1)
    for i in range(entries):
        a, b = interval(i)
        if i in near_root:
            # centred on the root rounded to float32, hi; f = (t - lo) Q(t) expanded, lo = root -
            # hi: the constant term -lo q_0 keeps the relative accuracy down to the root (|t| is
            # 0 or at least an ULP of y, twice |lo|), and no lo is subtracted in the kernel
            centre = mpf(float32(root))
            lo = root - centre
            q, error = chebyfit(lambda t: f(centre + t) / (t - lo), [a - centre, b - centre],
                                degree, error=True)
            q = list(reversed(q)) + [mpf(0)]
            coefficients = [-lo * q[0]] + [q[k - 1] - lo * q[k] for k in range(1, degree + 1)]
            smallest = min(abs(f(a + (b - a) * k / 200) / (a + (b - a) * k / 200 - root))
                           for k in range(201) if a + (b - a) * k / 200 != root)
        else:
            # the interval holding 0 centred on 0, where P(0) = f(0) rounded once makes f(tiny
            # y) correctly rounded; a tail whose Taylor terms at the interval's end b all have
            # f(b)'s sign for t = y - b <= 0 centred on b, where no term cancels (centred in the
            # middle, GELU's Phi(-y) near -6 cancelled to 4.25 ULP)
            if a <= 0 <= b:
                centre = mpf(0)
            elif tail_centred and terms_keep_sign_below(f, b, degree):
                centre = mpf(float32(b))
            else:
                centre = mpf(float32((a + b) / 2))
            c, error = chebyfit(lambda t: f(centre + t), [a - centre, b - centre], degree + 1,
                                error=True)
            coefficients = list(reversed(c))
            smallest = min(abs(f(a + (b - a) * k / 200)) for k in range(201))
        worst = max(worst, error / smallest)
        centres.append(centre)
        rows.append(coefficients)
    print(f"{label} table: degree {degree}, worst relative error {float(worst):.3g}, centres "
          + " ".join(f"{float(c):.4g}" for c in centres))
    return centres, rows


def terms_keep_sign_below(f, b, degree):
    """Whether f(b + t) = sum f^(k)(b) t^k / k! has no term of the other sign than f(b) for t <= 0:
    the derivatives at b alternate in sign, as a decaying tail's do."""
    value = f(b)
    return all(value * (-1) ** k * diff(f, b, k) > 0 for k in range(1, degree + 1))


def float_row(name, values, comment):
    body = ",\n    ".join(", ".join(repr(float32(v)) + "f" for v in values[i:i + 4])
                          for i in range(0, len(values), 4))
    return f"// {comment}\ninline constexpr float {name}[] = {{\n    {body}}};\n"


def float_table(name, rows, comment):
    """Coefficient-major: row k holds the degree-k coefficient of every interval."""
    lines = []
    for k in range(len(rows[0])):
        lines.append("{" + ", ".join(repr(float32(row[k])) + "f" for row in rows) + "}")
    body = ",\n    ".join(lines)
    return (f"// {comment}\ninline constexpr float {name}[{len(rows[0])}][{len(rows)}] = {{\n"
            f"    {body}}};\n")


def c_float(value):
    return repr(float(value))


def array(name, coefficients, comment):
    body = ",\n    ".join(", ".join(c_float(c) for c in coefficients[i:i + 3])
                          for i in range(0, len(coefficients), 3))
    return f"// {comment}\ninline constexpr double {name}[] = {{\n    {body}}};\n"


# GELU(approximate='tanh')'s forward table: 16 intervals uniform in u = y (1 + 0.044715 y^2),
# w(y) up to a factor, so that each spans as much of the logistic function as the logistic
# table's: degree 7 where intervals uniform in y (y + 8) need 9.
GELU_TANH_CUBIC = mpf("0.044715")
GELU_TANH_SCALE = float((TABLE_INTERVALS - mpf(1) / 2) / (TABLE_REACH * (1 + GELU_TANH_CUBIC * TABLE_REACH**2))) * (1 - 2.0**-20)


def gelu_tanh_intervals(i):
    def y_of(u):
        if u <= 0:
            return mpf(0)
        return findroot(lambda y: y * (1 + GELU_TANH_CUBIC * y * y) - u, u / (1 + GELU_TANH_CUBIC * u * u / 4))
    a = y_of(max(mpf(i) - mpf(1) / 2, mpf(0)) / GELU_TANH_SCALE) * (1 - mpf(2) ** -18)
    b = y_of((mpf(i) + mpf(1) / 2) / GELU_TANH_SCALE) * (1 + mpf(2) ** -18)
    return a, b


def gelu_tables(gelu_root):
    """struct GeluTables: the GELU table's polynomials."""
    cdf_hi, cdf_rows = piecewise_table(lambda y: normal_cdf(-y), table_interval, "Phi(-y)",
                                       tail_centred=True)
    derivative_hi, derivative_rows = piecewise_table(
        lambda y: normal_cdf(-y) - y * normal_pdf(y), table_interval, "GELU'(-y)",
        root=-gelu_root, tail_centred=True)
    # degree 9: w(y) is cubic, and f' falls fast on the last intervals
    tanh_root = findroot(gelu_tanh_derivative_lower, mpf("0.75"))
    tanh_derivative_hi, tanh_derivative_rows = piecewise_table(
        gelu_tanh_derivative_lower, table_interval, "GELU tanh f'(-y)", root=tanh_root, degree=9,
        tail_centred=True)
    members = [
        f"static constexpr float kScale = {float32(TABLE_SCALE)!r}f;\n",
        float_row("kCdfCentre", cdf_hi, "Centres c_i of the Phi(-y) polynomials."),
        float_table("kCdf", cdf_rows, "Phi(-y) = P_i(y - c_i), lowest degree first."),
        float_row("kDerivativeCentre", derivative_hi,
                  "Centres of the Phi(-y) - y phi(y) polynomials (the root's float32 next to it)."),
        float_table("kDerivative", derivative_rows,
                    "Phi(-y) - y phi(y) = P_i(y - c_i), lowest degree first."),
        float_row("kTanhDerivativeCentre", tanh_derivative_hi,
                  "Centres of the GELU(approximate='tanh') f'(-y) polynomials (the root's float32 "
                  "next to it)."),
        float_table("kTanhDerivative", tanh_derivative_rows,
                    "GELU(approximate='tanh'): f'(-y) = P_i(y - c_i), lowest degree first."),
    ]
    body = "\n".join(members).replace("inline constexpr", "static constexpr")
    body = "\n".join(("  " + line) if line else line for line in body.split("\n"))
    return f"struct GeluTables {{\n{body.rstrip()}\n}};\n"


def centred(g, a, b):
    c = (a + b) / 2
    return (lambda t: g(c + t)), a - c, b - c, c


def main():
    window = mpf("0.625")
    silu_root = findroot(f64.silu_derivative, mpf("-1.2785"))
    mish_root = findroot(f64.mish_derivative, mpf("-1.1924"))
    gelu_root = findroot(gelu_derivative, mpf("-0.7518"))
    parts = [
        array("kSiluRootSeriesF32",
              fit(f64.root_quotient(f64.silu_derivative, silu_root), -window, window, "silu'"),
              "SiLU's f'(x) = t Q(t), t = x - kSiluRoot, |t| < kRootWindow."),
        array("kGeluRootSeriesF32",
              fit(f64.root_quotient(gelu_derivative, gelu_root), mpf("-0.375"), mpf("0.375"), "gelu'"),
              "GELU's f'(x) = t Q(t), t = x - kGeluRoot, |t| < kGeluRootRadius."),
        array("kNormalCdfCentral", fit(central_quotient, mpf(0), mpf(1), "Phi central"),
              "Phi(x) - 1/2 = x P(x^2) for |x| <= 1."),
    ]
    g, lo, hi, centre = centred(tail_quotient, mpf(1) / 14, mpf(1))
    parts.append(array("kNormalCdfTail", fit(g, lo, hi, "Phi tail"),
                       "Phi(-y) = exp(-y^2 / 2) P(1 / y - c) / y for 1 <= y <= 14."))
    gelu_tanh_centres, gelu_tanh_rows = piecewise_table(gelu_tanh_lower, gelu_tanh_intervals,
                                                        "GELU tanh sigma(w(-y))", tail_centred=True)
    logistic_interval = uniform_intervals(LOGISTIC_SCALE)
    logistic_hi, logistic_rows = piecewise_table(lambda y: 1 / (1 + exp(y)), logistic_interval,
                                                    "sigma(-y)")
    _, log1p_exp_rows = piecewise_table(lambda y: log1p(exp(-y)), logistic_interval,
                                           "log1p(exp(-y))")
    # degree 9: the second interval, which holds the roots, is too curved for degree 7
    silu_hi, silu_derivative_rows = piecewise_table(
        lambda y: f64.silu_derivative(-y), logistic_interval, "SiLU'(-y)", root=-silu_root,
        degree=9)
    mish_interval = signed_intervals(MISH_SCALE, LOGISTIC_REACH)
    mish_hi, mish_rows = piecewise_table(lambda x: tanh(log1p(exp(x))), mish_interval,
                                            "tanh(softplus(x))", entries=32)
    # degree 9: the intervals around the root are too curved for degree 7
    mish_derivative_hi, mish_derivative_rows = piecewise_table(
        f64.mish_derivative, mish_interval, "Mish'(x)", root=mish_root, degree=9, entries=32)
    expm1_hi, expm1_rows = piecewise_table(lambda y: -expm1(-y), logistic_interval,
                                              "1 - exp(-y)", root=mpf(0))
    assert expm1_hi == logistic_hi
    tanh_hi, tanh_rows = piecewise_table(tanh, uniform_intervals(TANH_SCALE), "tanh(y)",
                                            root=mpf(0))
    tanh_hi_again, tanhshrink_rows = piecewise_table(
        lambda y: f64.tanhshrink_quotient(y * y), uniform_intervals(TANH_SCALE),
        "(y - tanh(y)) / y^3")
    assert tanh_hi_again[1:] == tanh_hi[1:]
    parts += [
        f"// The GELU tables' intervals: i = round(y (y + kGeluTableOffset) GeluTables::kScale), y "
        f"<= kGeluTableReach.\ninline constexpr float kGeluTableReach = {float(TABLE_REACH)!r}f;\n"
        f"inline constexpr float kGeluTableOffset = {float(TABLE_OFFSET)!r}f;\n",
        # (32 intervals of lower degree, looked up with AVX-512's vpermt2ps, ran at half the speed
        # of these at 16M elements, though faster in cache)
        gelu_tables(gelu_root),
        f"// GELU(approximate='tanh')'s forward intervals: i = round(y (1 + 0.044715 y^2) "
        f"kGeluTanhTableScale),\n// y <= kGeluTableReach.\n"
        f"inline constexpr float kGeluTanhTableScale = {float32(GELU_TANH_SCALE)!r}f;\n",
        float_row("kGeluTanhCentre", gelu_tanh_centres, "Centres c_i of the sigma(w(-y)) polynomials."),
        float_table("kGeluTanhLowerTable", gelu_tanh_rows,
                    "GELU(approximate='tanh'): sigma(w(-y)) = P_i(y - c_i), lowest degree first."),
        f"// The logistic tables' intervals: i = round(y kLogisticTableScale), y <= "
        f"kLogisticTableReach.\ninline constexpr float kLogisticTableReach = "
        f"{float(LOGISTIC_REACH)!r}f;\n"
        f"inline constexpr float kLogisticTableScale = {float32(LOGISTIC_SCALE)!r}f;\n",
        float_row("kLogisticCentre", logistic_hi, "Centres c_i of the logistic tables."),
        float_table("kLogisticTable", logistic_rows, "sigma(-y) = P_i(y - c_i), lowest degree first."),
        float_table("kLog1pExpTable", log1p_exp_rows,
                    "log1p(exp(-y)) = P_i(y - c_i), lowest degree first."),
        float_row("kSiluDerivativeCentre", silu_hi,
                  "Centres of the SiLU'(-y) polynomials (the root's float32 next to it)."),
        float_table("kSiluDerivativeTable", silu_derivative_rows,
                    "SiLU'(-y) = P_i(y - c_i) (SiLU'(y) = 1 - SiLU'(-y)), lowest degree first."),
        f"// Mish's tables: 32 intervals i = round(x kMishTableScale + 16) of x in\n"
        f"// [-kLogisticTableReach, kLogisticTableReach].\n"
        f"inline constexpr float kMishTableScale = {float32(MISH_SCALE)!r}f;\n",
        float_row("kMishCentre", mish_hi, "Centres c_i of the tanh(softplus(x)) polynomials."),
        float_table("kMishTable", mish_rows,
                    "tanh(softplus(x)) = P_i(x - c_i) (Mish's factor), lowest degree first."),
        float_row("kMishDerivativeCentre", mish_derivative_hi,
                  "Centres of the Mish'(x) polynomials (the root's float32 next to it)."),
        float_table("kMishDerivativeTable", mish_derivative_rows,
                    "Mish'(x) = P_i(x - c_i), lowest degree first."),
        float_table("kNegativeExpm1Table", expm1_rows,
                    "1 - exp(-y) = -expm1(-y) = P_i(y - c_i) on the logistic centres (P_0(0) = 0: "
                    "relative accuracy near 0), lowest degree first."),
        f"// The tanh table's intervals: i = round(y kTanhTableScale), y <= kTanhTableReach.\n"
        f"inline constexpr float kTanhTableReach = {float(TANH_REACH)!r}f;\n"
        f"inline constexpr float kTanhTableScale = {float32(TANH_SCALE)!r}f;\n",
        float_row("kTanhCentre", tanh_hi, "Centres c_i of the tanh table (c_0 = 0)."),
        float_table("kTanhTable", tanh_rows,
                    "tanh(y) = P_i(y - c_i), lowest degree first (P_0(0) = 0: relative accuracy "
                    "near 0)."),
        float_table("kTanhshrinkTable", tanhshrink_rows,
                    "(y - tanh(y)) / y^3 = P_i(y - c_i) on the tanh table's centres, lowest degree "
                    "first."),
    ]
    header = (
        "// Generated by tools/gen_float32_polynomials.py; do not edit.\n"
        "// Polynomials of the native float32 kernels, lowest degree first (float32 precision).\n"
        "#pragma once\n\nnamespace activ::kernels {\n\n"
        + "\n".join(parts)
        + f"\ninline constexpr double kNormalCdfTailCentre = {c_float(centre)};\n"
        + "\n}  // namespace activ::kernels\n"
    )
    path = os.path.join(os.path.dirname(__file__), "..", "src", "kernels", "float32_polynomials.h")
    with open(path, "w") as out:
        out.write(header)


if __name__ == "__main__":
    main()
