// The parts of the runtime catalogue that are not generated from the table: the one-line
// formulas of the shaped activations (the elementwise ones come with their table rows) and the
// lookup by name.
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

const char* kind_name(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::kElementwise:
      return "elementwise";
    case ActivationKind::kDim:
      return "dim";
    case ActivationKind::kParametric:
      return "parametric";
    case ActivationKind::kRandomized:
      return "randomized";
  }
  return "";
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
