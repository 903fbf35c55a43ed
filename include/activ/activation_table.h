// The table of elementwise activations: every layer (kernels, functional API, modules, CLI,
// tests, benchmarks) expands this one list instead of repeating per-function code.
//
// ACTIV_ELEMENTWISE_ACTIVATIONS(X, O) calls X(Module, functional, OPTIONS) once per activation;
// OPTIONS is a sequence of O(type, name, default, style), in torch's parameter order.
//   type   Scalar (a number; printed as Python prints what was passed: 1 vs 1.0), bool,
//          std::string
//   style  kNamed      printed as name=value
//          kPositional printed as the bare value (torch's Hardshrink(0.5))
//          kIfTrue     printed as name=True only when set (inplace)
//          kHidden     never printed (torch omits Hardsigmoid/Hardswish inplace)
// Numeric options, in order, become the kernel's params p[0], p[1], ...; a string option selects
// a variant through its own encoding (GELU: approximate 'none' 0, 'tanh' 1).
#pragma once

// Expands an option entry to nothing, for expansions that only need the names.
#define ACTIV_IGNORE_OPTION(type, name, default_value, style)

#define ACTIV_ELEMENTWISE_ACTIVATIONS(X, O)                                                          \
  X(ReLU, relu, O(bool, inplace, false, kIfTrue))                                                    \
  X(ReLU6, relu6, O(bool, inplace, false, kIfTrue))                                                  \
  X(LeakyReLU, leaky_relu, O(Scalar, negative_slope, 0.01, kNamed) O(bool, inplace, false, kIfTrue)) \
  X(Hardtanh, hardtanh,                                                                              \
    O(Scalar, min_val, -1.0, kNamed) O(Scalar, max_val, 1.0, kNamed) O(bool, inplace, false, kIfTrue)) \
  X(Threshold, threshold,                                                                            \
    O(Scalar, threshold, 0.0, kNamed) O(Scalar, value, 0.0, kNamed) O(bool, inplace, false, kIfTrue))  \
  X(Hardshrink, hardshrink, O(Scalar, lambd, 0.5, kPositional))                                      \
  X(Softshrink, softshrink, O(Scalar, lambd, 0.5, kPositional))                                      \
  X(Hardsigmoid, hardsigmoid, O(bool, inplace, false, kHidden))                                      \
  X(Hardswish, hardswish, O(bool, inplace, false, kHidden))                                          \
  X(ELU, elu, O(Scalar, alpha, 1.0, kNamed) O(bool, inplace, false, kIfTrue))                        \
  X(CELU, celu, O(Scalar, alpha, 1.0, kNamed) O(bool, inplace, false, kIfTrue))                      \
  X(SELU, selu, O(bool, inplace, false, kIfTrue))                                                    \
  X(Sigmoid, sigmoid, )                                                                              \
  X(LogSigmoid, logsigmoid, )                                                                        \
  X(Tanh, tanh, )                                                                                    \
  X(Tanhshrink, tanhshrink, )                                                                        \
  X(Softsign, softsign, )                                                                            \
  X(Softplus, softplus, O(Scalar, beta, 1, kNamed) O(Scalar, threshold, 20, kNamed))                 \
  X(SiLU, silu, O(bool, inplace, false, kIfTrue))                                                    \
  X(Mish, mish, O(bool, inplace, false, kIfTrue))                                                    \
  X(GELU, gelu, O(std::string, approximate, "none", kNamed))                                         \
  X(Swish, swish, O(Scalar, beta, 1.0, kNamed))

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
#define ACTIV_SHAPED_ACTIVATIONS(X, O, P)                                                          \
  X(Softmax, softmax, kDim, O(std::optional<std::int64_t>, dim, std::nullopt, kNamed), )           \
  X(Softmin, softmin, kDim, O(std::optional<std::int64_t>, dim, std::nullopt, kNamed), )           \
  X(LogSoftmax, log_softmax, kDim, O(std::optional<std::int64_t>, dim, std::nullopt, kNamed), )    \
  X(Softmax2d, softmax2d, kDim, , )                                                                \
  X(GLU, glu, kDim, O(std::int64_t, dim, -1, kNamed), )                                            \
  X(CReLU, crelu, kDim, O(std::int64_t, dim, 1, kNamed), )                                         \
  X(PReLU, prelu, kParametric,                                                                     \
    O(std::int64_t, num_parameters, 1, kNamed) O(Scalar, init, 0.25, kHidden), P(weight))          \
  X(RReLU, rrelu, kRandomized,                                                                     \
    O(Scalar, lower, 1.0 / 8, kNamed) O(Scalar, upper, 1.0 / 3, kNamed)                            \
    O(bool, training, false, kHidden) O(bool, inplace, false, kIfTrue), )                          \
  X(LearnableSwish, learnable_swish, kParametric, O(Scalar, beta, 1.0, kNamed), P(beta))           \
  X(LearnableGELU, learnable_gelu, kParametric,                                                    \
    O(Scalar, mu, 0.0, kNamed) O(Scalar, sigma, 1.0, kNamed), P(mu) P(sigma))

// Expands a parameter entry to nothing.
#define ACTIV_IGNORE_PARAMETER(name)
