// The parts of the runtime catalogue that are not generated from the table: each activation's
// one-line formula (for `activ list`) and the lookup by name.
#include "activ/nn/catalogue.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>

#include "nn/invocation.h"

namespace activ::nn {

std::string activation_formula(std::string_view functional_name) {
  // Python-like notation; Phi is the standard normal CDF.
  static constexpr std::pair<std::string_view, std::string_view> kFormulas[] = {
      {"relu", "max(0, x)"},
      {"relu6", "min(max(0, x), 6)"},
      {"leaky_relu", "x if x > 0 else negative_slope * x"},
      {"hardtanh", "min(max(x, min_val), max_val)"},
      {"threshold", "x if x > threshold else value"},
      {"hardshrink", "x if |x| > lambd else 0"},
      {"softshrink", "x - lambd if x > lambd, x + lambd if x < -lambd, else 0"},
      {"hardsigmoid", "min(max(x / 6 + 1 / 2, 0), 1)"},
      {"hardswish", "x * min(max(x + 3, 0), 6) / 6"},
      {"elu", "x if x > 0 else alpha * (exp(x) - 1)"},
      {"celu", "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))"},
      {"selu", "scale * (x if x > 0 else alpha * (exp(x) - 1)), alpha=1.6732632, scale=1.0507010"},
      {"sigmoid", "1 / (1 + exp(-x))"},
      {"logsigmoid", "log(1 / (1 + exp(-x)))"},
      {"tanh", "tanh(x)"},
      {"tanhshrink", "x - tanh(x)"},
      {"softsign", "x / (1 + |x|)"},
      {"softplus", "log(1 + exp(beta * x)) / beta, x where beta * x > threshold"},
      {"silu", "x * sigmoid(x)"},
      {"mish", "x * tanh(softplus(x))"},
      {"gelu", "x * Phi(x); 'tanh': x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))"},
      {"swish", "x * sigmoid(beta * x)"},
      {"softmax", "exp(x_i) / sum_j exp(x_j) along dim"},
      {"softmin", "exp(-x_i) / sum_j exp(-x_j) along dim"},
      {"log_softmax", "x_i - log(sum_j exp(x_j)) along dim"},
      {"softmax2d", "softmax over the channels (dim -3) of a (C, H, W) or (N, C, H, W) input"},
      {"glu", "a * sigmoid(b), a and b the halves of x along dim"},
      {"crelu", "cat(max(0, x), max(0, -x)) along dim"},
      {"prelu", "x if x > 0 else weight[c] * x, weight learnable (init 0.25), c the channel"},
      {"rrelu", "x if x > 0 else a * x, a ~ U(lower, upper) in training, (lower + upper) / 2 else"},
      {"learnable_swish", "x * sigmoid(beta * x), beta learnable"},
      {"learnable_gelu", "x * Phi((x - mu) / sigma), mu and sigma learnable"},
  };
  for (const auto& [name, formula] : kFormulas) {
    if (name == functional_name) return std::string(formula);
  }
  return {};
}

const ActivationInfo* find_activation(std::string_view name) {
  const auto same = [&](std::string_view candidate) {
    return std::equal(candidate.begin(), candidate.end(), name.begin(), name.end(),
                      [](char a, char b) {
                        return std::tolower(static_cast<unsigned char>(a)) ==
                               std::tolower(static_cast<unsigned char>(b));
                      });
  };
  for (const auto* list : {&elementwise_activations(), &shaped_activations()}) {
    for (const ActivationInfo& info : *list) {
      if (same(info.module_name) || same(info.functional_name)) return &info;
    }
  }
  return nullptr;
}

}  // namespace activ::nn
