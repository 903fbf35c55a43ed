// What the table generates for ACTIV_SHAPED_ACTIVATIONS beyond the headers: reprs and the
// catalogue. Constructors, forward and the math live in one file per activation.
#include "activ/nn/activation.h"
#include "activ/nn/catalogue.h"
#include "nn/common.h"
#include "nn/invocation.h"

namespace activ::nn {

#define ACTIV_SHAPED_EXTRA_REPR(Name, functional, kind, OPTIONS, PARAMETERS) \
  std::string Name::extra_repr() const {                                     \
    return extra_repr_of(options_);                                          \
  }
ACTIV_SHAPED_ACTIVATIONS(ACTIV_SHAPED_EXTRA_REPR, ACTIV_IGNORE_OPTION, ACTIV_IGNORE_PARAMETER)
#undef ACTIV_SHAPED_EXTRA_REPR

namespace {

// Forward and backward of each one for ActivationInfo: the functional forms, with the modules'
// initial parameters (in the input's dtype) for the learnable ones.
Tensor evaluate(const Tensor& x, const SoftmaxOptions& o) {
  return functional::softmax(x, o);
}
Tensor evaluate(const Tensor& x, const SoftminOptions& o) {
  return functional::softmin(x, o);
}
Tensor evaluate(const Tensor& x, const LogSoftmaxOptions& o) {
  return functional::log_softmax(x, o);
}
Tensor evaluate(const Tensor& x, const Softmax2dOptions& o) {
  return functional::softmax2d(x, o);
}
Tensor evaluate(const Tensor& x, const GLUOptions& o) {
  return functional::glu(x, o);
}
Tensor evaluate(const Tensor& x, const CReLUOptions& o) {
  return functional::crelu(x, o);
}
Tensor evaluate(const Tensor& x, const RReLUOptions& o) {
  return functional::rrelu(x, o);
}

Tensor initial(const Tensor& parameter, const Tensor& input) {
  return parameter.detach().to(input.dtype());
}
// PReLU's weight made in the input's dtype, as torch's nn.PReLU(..., dtype=x.dtype) or the
// tensor passed to F.prelu: init exact, not rounded through the default float32 parameter.
Tensor prelu_weight(const PReLUOptions& o, const Tensor& x) {
  const PReLU checked(o);  // the constructor's checks (num_parameters >= 0)
  return full({o.num_parameters}, o.init, x.dtype());
}
Tensor evaluate(const Tensor& x, const PReLUOptions& o) {
  return functional::prelu(x, prelu_weight(o, x));
}
Tensor evaluate(const Tensor& x, const LearnableSwishOptions& o) {
  return functional::learnable_swish(x, initial(LearnableSwish(o).beta(), x));
}
Tensor evaluate(const Tensor& x, const LearnableGELUOptions& o) {
  const LearnableGELU module(o);
  return functional::learnable_gelu(x, initial(module.mu(), x), initial(module.sigma(), x));
}

Tensor evaluate_backward(const Tensor& g, const Tensor& x, const SoftmaxOptions& o) {
  return functional::softmax_backward(g, functional::softmax(x, o), o.dim);
}
Tensor evaluate_backward(const Tensor& g, const Tensor& x, const SoftminOptions& o) {
  return functional::softmin_backward(g, functional::softmin(x, o), o.dim);
}
Tensor evaluate_backward(const Tensor& g, const Tensor& x, const LogSoftmaxOptions& o) {
  return functional::log_softmax_backward(g, functional::log_softmax(x, o), o.dim);
}
Tensor evaluate_backward(const Tensor& g, const Tensor& x, const Softmax2dOptions& o) {
  return functional::softmax2d_backward(g, functional::softmax2d(x, o));
}
Tensor evaluate_backward(const Tensor& g, const Tensor& x, const GLUOptions& o) {
  return functional::glu_backward(g, x, o.dim);
}
Tensor evaluate_backward(const Tensor& g, const Tensor& x, const CReLUOptions& o) {
  return functional::crelu_backward(g, x, o.dim);
}
Tensor evaluate_backward(const Tensor& g, const Tensor& x, const RReLUOptions& o) {
  RReLUOptions out_of_place = o;
  out_of_place.inplace = false;
  Tensor noise;
  functional::rrelu_with_noise(x, noise, out_of_place);
  return functional::rrelu_backward(g, x, noise, out_of_place);
}
Tensor evaluate_backward(const Tensor& g, const Tensor& x, const PReLUOptions& o) {
  return functional::prelu_backward(g, x, prelu_weight(o, x)).input;
}
Tensor evaluate_backward(const Tensor& g, const Tensor& x, const LearnableSwishOptions& o) {
  return functional::learnable_swish_backward(g, x, initial(LearnableSwish(o).beta(), x)).input;
}
Tensor evaluate_backward(const Tensor& g, const Tensor& x, const LearnableGELUOptions& o) {
  const LearnableGELU module(o);
  return functional::learnable_gelu_backward(g, x, initial(module.mu(), x),
                                             initial(module.sigma(), x))
      .input;
}

}  // namespace

const std::vector<ActivationInfo>& shaped_activations() {
#define ACTIV_PARAMETER_NAME(name) #name,
#define ACTIV_SHAPED_CATALOGUE_ENTRY(Name, functional, kind, OPTIONS, PARAMETERS)          \
  ActivationInfo{                                                                          \
      #Name,                                                                               \
      #functional,                                                                         \
      option_infos<Name##Options>(),                                                       \
      kernels::Activation::kCount,                                                         \
      ActivationKind::kind,                                                                \
      {PARAMETERS},                                                                        \
      activation_formula(#functional),                                                     \
      [](const Tensor& input, const OptionValues& values) {                                \
        return evaluate(input, invocation::parse_options<Name##Options>(values, #Name));   \
      },                                                                                   \
      [](const Tensor& grad_output, const Tensor& input, const OptionValues& values) {     \
        return evaluate_backward(grad_output, input,                                       \
                                 invocation::parse_options<Name##Options>(values, #Name)); \
      },                                                                                   \
      [](const OptionValues& values) {                                                     \
        return Name(invocation::parse_options<Name##Options>(values, #Name)).repr();       \
      },                                                                                   \
      [](const OptionValues& values) {                                                     \
        return functional_call<Name##Options>(#Name, #functional, values);                 \
      }},
  static const std::vector<ActivationInfo> catalogue = {ACTIV_SHAPED_ACTIVATIONS(
      ACTIV_SHAPED_CATALOGUE_ENTRY, ACTIV_IGNORE_OPTION, ACTIV_PARAMETER_NAME)};
#undef ACTIV_SHAPED_CATALOGUE_ENTRY
#undef ACTIV_PARAMETER_NAME
  return catalogue;
}

}  // namespace activ::nn
