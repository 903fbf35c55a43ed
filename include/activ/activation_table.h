// The table of elementwise activations: every layer (kernels, functional API, modules, CLI,
// tests, benchmarks) expands this one list instead of repeating per-function code.
//
// ACTIV_ELEMENTWISE_ACTIVATIONS(X, O) calls X(Module, functional, smoothness, grad_fn,
// formula, OPTIONS) once per activation:
//   smoothness  kPiecewiseLinear (torch's expression in the input type, bit-identical to
//               torch) or kSmooth (accuracy bounds against the high-precision reference, which
//               tests/activation_accuracy_test requires); the kernel's Math struct derives from
//               the matching base (checked at compile time)
//   grad_fn     the autograd node's name stem: "Elu" gives EluBackward0, EluBackwardBackward0
//   formula     one line, Python-like notation (`activ list`, the gallery); Phi is the normal CDF
//   OPTIONS     a sequence of O(type, name, default, style, kernel), in torch's parameter order:
//     type    Scalar (a number; printed as Python prints what was passed: 1 vs 1.0), bool,
//             std::string
//     style   kNamed      printed as name=value
//             kPositional printed as the bare value (torch's Hardshrink(0.5))
//             kIfTrue     printed as name=True only when set (inplace)
//             kHidden     never printed (torch omits Hardsigmoid/Hardswish inplace)
//     kernel  the option's type in the kernel's parameter struct (kernels::<Module>Params, in
//             activ/kernels.h): double for a number, an enum for a string (GeluApproximate), none
//             when the kernel does not see it (inplace)
// Users that need only some columns take the rest as `...`.
#pragma once

// Expands an option entry to nothing, for expansions that only need the names.
#define ACTIV_IGNORE_OPTION(...)

#define ACTIV_ELEMENTWISE_ACTIVATIONS(X, O)                                                        \
  X(ReLU, relu, kPiecewiseLinear, "Relu", "max(0, x)", O(bool, inplace, false, kIfTrue, none))     \
  X(ReLU6, relu6, kPiecewiseLinear, "Hardtanh", "min(max(0, x), 6)",                               \
    O(bool, inplace, false, kIfTrue, none))                                                        \
  X(LeakyReLU, leaky_relu, kPiecewiseLinear, "LeakyRelu", "x if x > 0 else negative_slope * x",    \
    O(Scalar, negative_slope, 0.01, kNamed, double) O(bool, inplace, false, kIfTrue, none))        \
  X(Hardtanh, hardtanh, kPiecewiseLinear, "Hardtanh", "min(max(x, min_val), max_val)",             \
    O(Scalar, min_val, -1.0, kNamed, double) O(Scalar, max_val, 1.0, kNamed, double)               \
        O(bool, inplace, false, kIfTrue, none))                                                    \
  X(Threshold, threshold, kPiecewiseLinear, "Threshold", "x if x > threshold else value",          \
    O(Scalar, threshold, 0.0, kNamed, double) O(Scalar, value, 0.0, kNamed, double)                \
        O(bool, inplace, false, kIfTrue, none))                                                    \
  X(Hardshrink, hardshrink, kPiecewiseLinear, "Hardshrink", "x if |x| > lambd else 0",             \
    O(Scalar, lambd, 0.5, kPositional, double))                                                    \
  X(Softshrink, softshrink, kPiecewiseLinear, "Softshrink",                                        \
    "x - lambd if x > lambd, x + lambd if x < -lambd, else 0",                                     \
    O(Scalar, lambd, 0.5, kPositional, double))                                                    \
  X(Hardsigmoid, hardsigmoid, kPiecewiseLinear, "Hardsigmoid", "min(max(x / 6 + 1 / 2, 0), 1)",    \
    O(bool, inplace, false, kHidden, none))                                                        \
  X(Hardswish, hardswish, kPiecewiseLinear, "Hardswish", "x * min(max(x + 3, 0), 6) / 6",          \
    O(bool, inplace, false, kHidden, none))                                                        \
  X(ELU, elu, kSmooth, "Elu", "x if x > 0 else alpha * (exp(x) - 1)",                              \
    O(Scalar, alpha, 1.0, kNamed, double) O(bool, inplace, false, kIfTrue, none))                  \
  X(CELU, celu, kSmooth, "Celu", "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))",               \
    O(Scalar, alpha, 1.0, kNamed, double) O(bool, inplace, false, kIfTrue, none))                  \
  X(SELU, selu, kSmooth, "Elu",                                                                    \
    "scale * (x if x > 0 else alpha * (exp(x) - 1)), alpha=1.6732632, scale=1.0507010",            \
    O(bool, inplace, false, kIfTrue, none))                                                        \
  X(Sigmoid, sigmoid, kSmooth, "Sigmoid", "1 / (1 + exp(-x))", )                                   \
  X(LogSigmoid, logsigmoid, kSmooth, "LogSigmoid", "log(1 / (1 + exp(-x)))", )                     \
  X(Tanh, tanh, kSmooth, "Tanh", "tanh(x)", )                                                      \
  X(Tanhshrink, tanhshrink, kSmooth, "Tanhshrink", "x - tanh(x)", )                                \
  X(Softsign, softsign, kSmooth, "Softsign", "x / (1 + |x|)", )                                    \
  X(Softplus, softplus, kSmooth, "Softplus",                                                       \
    "log(1 + exp(beta * x)) / beta, x where beta * x > threshold",                                 \
    O(Scalar, beta, 1, kNamed, double) O(Scalar, threshold, 20, kNamed, double))                   \
  X(SiLU, silu, kSmooth, "Silu", "x * sigmoid(x)", O(bool, inplace, false, kIfTrue, none))         \
  X(Mish, mish, kSmooth, "Mish", "x * tanh(softplus(x))", O(bool, inplace, false, kIfTrue, none))  \
  X(GELU, gelu, kSmooth, "Gelu",                                                                   \
    "x * Phi(x); 'tanh': x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))",                 \
    O(std::string, approximate, "none", kNamed, GeluApproximate))                                  \
  X(Swish, swish, kSmooth, "Swish", "x * sigmoid(beta * x)", O(Scalar, beta, 1.0, kNamed, double)) \
  X(SquaredReLU, squared_relu, kSmooth, "SquaredRelu", "max(0, x)^2", )

// The activations that are not one elementwise function of one tensor: they work along a dim,
// hold learnable parameters or draw random slopes. ACTIV_SHAPED_ACTIVATIONS(X, O, P) calls
// X(Module, functional, kind, OPTIONS, PARAMETERS) once per activation:
//   kind        kDim (softmax family, GLU, CReLU), kParametric (learnable tensors),
//               kRandomized (random in training mode)
//   OPTIONS     O(type, name, default, style) as above; std::optional<std::int64_t> is torch's
//               `dim=None` and prints None when unset
//   PARAMETERS  P(name): the module's learnable tensors, in torch's order (not options; the
//               functional form takes them as arguments)
// The math of each one is hand-written in src/nn/ (softmax.cpp, glu.cpp, crelu.cpp, prelu.cpp,
// rrelu.cpp, learnable.cpp).
#define ACTIV_SHAPED_ACTIVATIONS(X, O, P)                                                       \
  X(Softmax, softmax, kDim, O(std::optional<std::int64_t>, dim, std::nullopt, kNamed), )        \
  X(Softmin, softmin, kDim, O(std::optional<std::int64_t>, dim, std::nullopt, kNamed), )        \
  X(LogSoftmax, log_softmax, kDim, O(std::optional<std::int64_t>, dim, std::nullopt, kNamed), ) \
  X(Softmax2d, softmax2d, kDim, , )                                                             \
  X(GLU, glu, kDim, O(std::int64_t, dim, -1, kNamed), )                                         \
  X(CReLU, crelu, kDim, O(std::int64_t, dim, 1, kNamed), )                                      \
  X(PReLU, prelu, kParametric,                                                                  \
    O(std::int64_t, num_parameters, 1, kNamed) O(Scalar, init, 0.25, kHidden), P(weight))       \
  X(RReLU, rrelu, kRandomized,                                                                  \
    O(Scalar, lower, 1.0 / 8, kNamed) O(Scalar, upper, 1.0 / 3, kNamed)                         \
        O(bool, training, false, kHidden) O(bool, inplace, false, kIfTrue), )                   \
  X(LearnableSwish, learnable_swish, kParametric, O(Scalar, beta, 1.0, kNamed), P(beta))        \
  X(LearnableGELU, learnable_gelu, kParametric,                                                 \
    O(Scalar, mu, 0.0, kNamed) O(Scalar, sigma, 1.0, kNamed), P(mu) P(sigma))

// Expands a parameter entry to nothing.
#define ACTIV_IGNORE_PARAMETER(name)
