// What the table generates for ACTIV_SHAPED_ACTIVATIONS beyond the headers: reprs and the
// catalogue. Constructors, forward and the math live in one file per activation.
#include "activ/nn/activation.h"
#include "activ/nn/catalogue.h"
#include "nn/common.h"

namespace activ::nn {

#define ACTIV_SHAPED_EXTRA_REPR(Name, functional, kind, OPTIONS, PARAMETERS) \
  std::string Name::extra_repr() const {                                     \
    return extra_repr_of(options_);                                          \
  }
ACTIV_SHAPED_ACTIVATIONS(ACTIV_SHAPED_EXTRA_REPR, ACTIV_IGNORE_OPTION, ACTIV_IGNORE_PARAMETER)
#undef ACTIV_SHAPED_EXTRA_REPR

const std::vector<ActivationInfo>& shaped_activations() {
#define ACTIV_PARAMETER_NAME(name) #name,
#define ACTIV_SHAPED_CATALOGUE_ENTRY(Name, functional, kind, OPTIONS, PARAMETERS) \
  ActivationInfo{#Name,                                                           \
                 #functional,                                                     \
                 option_infos<Name##Options>(),                                   \
                 kernels::Activation::kCount,                                     \
                 ActivationKind::kind,                                            \
                 {PARAMETERS}},
  static const std::vector<ActivationInfo> catalogue = {ACTIV_SHAPED_ACTIVATIONS(
      ACTIV_SHAPED_CATALOGUE_ENTRY, ACTIV_IGNORE_OPTION, ACTIV_PARAMETER_NAME)};
#undef ACTIV_SHAPED_CATALOGUE_ENTRY
#undef ACTIV_PARAMETER_NAME
  return catalogue;
}

}  // namespace activ::nn
