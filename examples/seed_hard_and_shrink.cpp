// Twin of the seed tutorial's examples of the piecewise activations and the shrinkage
// functions (shared/seeds/001_*.txt): Hardshrink, Hardsigmoid, Hardtanh, Hardswish, Softshrink,
// Tanhshrink and Threshold, each applied to a two-element input. The tutorial's torch.randn(2)
// inputs are fixed values here.
#include <iostream>

#include "activ/nn/activation.h"
#include "seed_show.h"

int main() {
  using activ::tensor;
  namespace nn = activ::nn;
  show(nn::Hardshrink({.lambd = 0.5}), tensor({-0.3157, 1.4520}));
  show(nn::Hardsigmoid(), tensor({-3.6021, 1.2044}));
  show(nn::Hardtanh({.min_val = -2, .max_val = 2}), tensor({-2.7316, 0.8107}));
  show(nn::Hardswish(), tensor({-1.0538, 3.2290}));
  show(nn::Softshrink(), tensor({-1.2161, 0.2703}));
  show(nn::Tanhshrink(), tensor({-0.5127, 2.1984}));
  show(nn::Threshold({.threshold = 0.1, .value = 20}), tensor({0.0412, 0.7436}));
}
