// Options structs of the elementwise activations, generated from activation_table.h:
// activ::nn::ELUOptions{.alpha = 0.5, .inplace = true} and so on, with torch's defaults.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

#include "activ/activation_table.h"
#include "activ/kernels.h"
#include "activ/scalar.h"

namespace activ::nn {

// How an option appears in a module's repr (see activation_table.h).
enum class OptionStyle { kNamed, kPositional, kIfTrue, kHidden };

// Elementwise activations come from the first table, the others from the second.
enum class ActivationKind { kElementwise, kDim, kParametric, kRandomized };

#define ACTIV_OPTION_MEMBER(type, name, default_value, ...) type name = default_value;
#define ACTIV_OPTIONS_STRUCT(Name, functional, smoothness, grad_fn, formula, OPTIONS) \
  struct Name##Options {                                                              \
    OPTIONS                                                                           \
  };
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_OPTIONS_STRUCT, ACTIV_OPTION_MEMBER)
#undef ACTIV_OPTIONS_STRUCT
#undef ACTIV_OPTION_MEMBER

// The kernel's parameters of these options (kernels::ELUParams{.alpha = 0.5} for
// ELUOptions{.alpha = 0.5}); ValueError for a GELU approximate other than 'none' or 'tanh'.
#define ACTIV_KERNEL_PARAMS_DECLARATION(Name, ...) \
  kernels::Name##Params kernel_params(const Name##Options& options);
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_KERNEL_PARAMS_DECLARATION, ACTIV_IGNORE_OPTION)
#undef ACTIV_KERNEL_PARAMS_DECLARATION

// for_each_option(options, visit) calls visit(name, member, style) for every option in order.
#define ACTIV_VISIT_OPTION(type, name, default_value, style, ...) \
  visit(#name, options.name, OptionStyle::style);
#define ACTIV_OPTIONS_VISITOR(Name, functional, smoothness, grad_fn, formula, OPTIONS)     \
  template <class Options, class Visit>                                                    \
  requires std::same_as<std::remove_cvref_t<Options>, Name##Options> void for_each_option( \
      Options&& options, Visit&& visit) {                                                  \
    (void)options;                                                                         \
    (void)visit;                                                                           \
    OPTIONS                                                                                \
  }
ACTIV_ELEMENTWISE_ACTIVATIONS(ACTIV_OPTIONS_VISITOR, ACTIV_VISIT_OPTION)
#undef ACTIV_OPTIONS_VISITOR
#undef ACTIV_VISIT_OPTION

// The same for the activations of ACTIV_SHAPED_ACTIVATIONS: activ::nn::SoftmaxOptions{.dim = 1},
// PReLUOptions{.num_parameters = 3}, RReLUOptions{.lower = 0.1, .training = true}.
#define ACTIV_OPTION_MEMBER(type, name, default_value, ...) type name = default_value;
#define ACTIV_SHAPED_OPTIONS_STRUCT(Name, functional, kind, OPTIONS, PARAMETERS) \
  struct Name##Options {                                                         \
    OPTIONS                                                                      \
  };
ACTIV_SHAPED_ACTIVATIONS(ACTIV_SHAPED_OPTIONS_STRUCT, ACTIV_OPTION_MEMBER, ACTIV_IGNORE_PARAMETER)
#undef ACTIV_SHAPED_OPTIONS_STRUCT
#undef ACTIV_OPTION_MEMBER

#define ACTIV_VISIT_OPTION(type, name, default_value, style) \
  visit(#name, options.name, OptionStyle::style);
#define ACTIV_SHAPED_OPTIONS_VISITOR(Name, functional, kind, OPTIONS, PARAMETERS)          \
  template <class Options, class Visit>                                                    \
  requires std::same_as<std::remove_cvref_t<Options>, Name##Options> void for_each_option( \
      Options&& options, Visit&& visit) {                                                  \
    (void)options;                                                                         \
    (void)visit;                                                                           \
    OPTIONS                                                                                \
  }
ACTIV_SHAPED_ACTIVATIONS(ACTIV_SHAPED_OPTIONS_VISITOR, ACTIV_VISIT_OPTION, ACTIV_IGNORE_PARAMETER)
#undef ACTIV_SHAPED_OPTIONS_VISITOR
#undef ACTIV_VISIT_OPTION

}  // namespace activ::nn
