// activ._activ: the extension behind the `activ` Python package. It converts Python tensors
// (the buffer protocol: NumPy arrays, memoryview; __dlpack__: torch tensors) to activ::Tensor
// views without copying, runs the catalogue's activations with the GIL released, and converts
// the results back to the caller's kind of tensor. The Python signatures are generated in
// activ/nn/functional.py from catalogue() below, itself generated from activation_table.h.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "activ/dlpack.h"
#include "activ/nn/catalogue.h"
#include "activ/nn/functional.h"
#include "activ/parallel.h"

namespace py = pybind11;

namespace {

using activ::Shape;
using activ::Tensor;
namespace nn = activ::nn;
namespace F = activ::nn::functional;

// What the caller passed, so that results come back as the same kind of object.
enum class Kind { kNumPy, kTorch };

struct Input {
  Tensor tensor;
  Kind kind = Kind::kNumPy;
};

std::string type_name(py::handle object) {
  return py::str(py::type::handle_of(object).attr("__name__"));
}

// A conversion error as the exception of the same type, naming the function and the argument.
[[noreturn]] void rethrow_for_argument(const activ::Error& error, const std::string& op,
                                       const char* argument) {
  const std::string message = op + ": argument '" + argument + "': " + error.what();
  if (dynamic_cast<const activ::ValueError*>(&error) != nullptr) throw py::value_error(message);
  throw std::runtime_error(message);
}

// The activ dtype of a buffer's struct format, or nothing.
std::optional<activ::Dtype> buffer_dtype(std::string format, py::ssize_t item_size) {
  // Native or explicit little-endian byte order only (activ runs on little-endian machines).
  if (!format.empty() && (format[0] == '@' || format[0] == '=' || format[0] == '<'))
    format.erase(0, 1);
  if (format == "f" && item_size == 4) return activ::float32;
  if (format == "d" && item_size == 8) return activ::float64;
  if ((format == "q" || format == "l") && item_size == 8) return activ::int64;
  if (format == "?" && item_size == 1) return activ::bool_;
  return std::nullopt;
}

// A view of an object with the buffer protocol; the buffer is released (under the GIL) when the
// last activ tensor viewing it goes away.
Tensor from_buffer(py::handle object, const std::string& op, const char* argument, bool writable) {
  auto view = std::make_unique<Py_buffer>();
  const int flags = PyBUF_RECORDS_RO | (writable ? PyBUF_WRITABLE : 0);
  if (PyObject_GetBuffer(object.ptr(), view.get(), flags) != 0) {
    PyErr_Clear();
    if (writable && PyObject_GetBuffer(object.ptr(), view.get(), PyBUF_RECORDS_RO) == 0) {
      PyBuffer_Release(view.get());
      throw py::value_error(op + ": argument '" + argument + "' is read-only, but " + op +
                            " writes into it");
    }
    throw py::type_error(op + ": argument '" + argument + "' must be a strided array, got a " +
                         type_name(object) + " whose buffer is not one");
  }
  const auto release = [](Py_buffer* buffer) {
    py::gil_scoped_acquire gil;
    PyBuffer_Release(buffer);
    delete buffer;
  };
  const std::string format = view->format != nullptr ? view->format : "B";
  const auto dtype = buffer_dtype(format, view->itemsize);
  if (!dtype) {
    PyBuffer_Release(view.get());
    throw py::type_error(
        op + ": argument '" + argument +
        "' must hold float32, float64, int64 or bool elements, got struct format '" + format + "'");
  }
  Shape sizes(view->shape, view->shape + view->ndim);
  Shape strides(static_cast<std::size_t>(view->ndim));
  for (int d = 0; d < view->ndim; ++d) {
    if (view->strides[d] % view->itemsize != 0) {
      PyBuffer_Release(view.get());
      throw py::value_error(op + ": argument '" + argument + "' has a stride of " +
                            std::to_string(view->strides[d]) +
                            " bytes, not a multiple of its element size");
    }
    strides[d] = view->strides[d] / view->itemsize;
  }
  Py_buffer* raw = view.get();
  try {
    Tensor tensor =
        activ::from_blob(raw->buf, sizes, strides, *dtype, [raw, release](void*) { release(raw); });
    view.release();
    return tensor;
  } catch (const activ::Error& e) {
    PyBuffer_Release(raw);
    rethrow_for_argument(e, op, argument);
  }
}

// The DLPack capsule's tensor, which the activ tensor owns from then on (the capsule is
// renamed "used_dltensor", as the protocol says, so that it does not free it).
Tensor from_capsule(py::handle capsule, const std::string& op, const char* argument) {
  auto* managed = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule.ptr(), "dltensor"));
  if (managed == nullptr) {
    PyErr_Clear();
    throw py::type_error(op + ": argument '" + argument +
                         "': __dlpack__() did not return an unused 'dltensor' capsule");
  }
  Tensor tensor;
  try {
    tensor = activ::from_dlpack(managed);
  } catch (const activ::Error& e) {
    rethrow_for_argument(e, op, argument);
  }
  PyCapsule_SetName(capsule.ptr(), "used_dltensor");
  return tensor;
}

bool is_torch_tensor(py::handle object) {
  const std::string module = py::str(py::type::handle_of(object).attr("__module__"));
  return module == "torch" || module.rfind("torch.", 0) == 0;
}

Input to_input(py::handle object, const std::string& op, const char* argument, bool writable) {
  if (PyObject_CheckBuffer(object.ptr()))
    return {from_buffer(object, op, argument, writable), Kind::kNumPy};
  if (py::hasattr(object, "__dlpack__") && !py::isinstance<py::type>(object)) {
    if (is_torch_tensor(object)) {
      if (writable && py::bool_(object.attr("requires_grad"))) {
        // What torch says for a leaf; activ's writes would also bypass the autograd graph.
        throw std::runtime_error(op + ": argument '" + argument +
                                 "' requires grad and cannot be written in place (activ.torch "
                                 "has the autograd modules)");
      }
      // torch's C exporter: a sixth of Tensor.__dlpack__'s cost, and it exports tensors that
      // require grad (activ reads their data) where __dlpack__ refuses them.
      static const auto& to_dlpack =
          *new py::object(py::module_::import("torch.utils.dlpack").attr("to_dlpack"));
      return {from_capsule(to_dlpack(object), op, argument), Kind::kTorch};
    }
    return {from_capsule(object.attr("__dlpack__")(), op, argument), Kind::kNumPy};
  }
  throw py::type_error(op + "(): argument '" + argument +
                       "' must be an array (the buffer protocol or __dlpack__), not " +
                       type_name(object));
}

py::object to_python(const Tensor& tensor, Kind kind) {
  if (kind == Kind::kTorch) {
    DLManagedTensor* managed = activ::to_dlpack(tensor);
    py::capsule capsule(managed, "dltensor", [](PyObject* object) {
      // Still named "dltensor": no consumer took it, so it is freed here.
      if (PyCapsule_IsValid(object, "dltensor")) {
        auto* unused = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(object, "dltensor"));
        unused->deleter(unused);
      }
    });
    // torch.utils.dlpack.from_dlpack checks for __dlpack__ before calling this one (2 us more
    // per call); the public one where torch has no such function.
    static const auto& from_dlpack = *new py::object([] {
      const py::module_ torch_c = py::module_::import("torch._C");
      return py::hasattr(torch_c, "_from_dlpack")
                 ? torch_c.attr("_from_dlpack")
                 : py::module_::import("torch.utils.dlpack").attr("from_dlpack");
    }());
    return from_dlpack(capsule);
  }
  auto* owner = new Tensor(tensor.detach());
  py::capsule base(owner, [](void* pointer) { delete static_cast<Tensor*>(pointer); });
  const auto item_size = static_cast<py::ssize_t>(activ::itemsize(tensor.dtype()));
  std::vector<py::ssize_t> shape(tensor.sizes().begin(), tensor.sizes().end());
  std::vector<py::ssize_t> strides;
  for (const std::int64_t stride : tensor.strides()) strides.push_back(stride * item_size);
  void* data = tensor.storage()->data() + tensor.storage_offset() * item_size;
  return py::array(py::dtype(std::string(activ::name(tensor.dtype()))), shape, strides, data, base);
}

// An option value as the catalogue reads it (Python's spelling), checked against its type.
std::string option_text(const nn::OptionInfo& option, py::handle value, const std::string& op) {
  const auto wrong = [&](const char* expected) {
    return py::type_error(op + "(): argument '" + option.name + "' must be " + expected + ", not " +
                          type_name(value));
  };
  const bool is_bool = PyBool_Check(value.ptr());
  const bool is_int = PyLong_Check(value.ptr()) && !is_bool;
  if (option.type == "bool") {
    if (!is_bool) throw wrong("bool");
    return value.ptr() == Py_True ? "True" : "False";
  }
  if (option.type == "string") {
    if (!py::isinstance<py::str>(value)) throw wrong("str");
    return py::str(value);
  }
  if (option.type == "int" || option.type == "int or None") {
    if (value.is_none() && option.type == "int or None") return "None";
    if (!is_int) throw wrong(option.type == "int" ? "int" : "int or None");
    return py::str(value);
  }
  if (!is_int && !is_bool && !PyFloat_Check(value.ptr())) throw wrong("a number");
  if (is_bool) return value.ptr() == Py_True ? "1" : "0";
  return py::repr(value);  // shortest round-trip digits; 1 stays an int, 1.0 a float
}

const nn::ActivationInfo& activation(const std::string& name) {
  const nn::ActivationInfo* info = nn::find_activation(name);
  if (info == nullptr) throw py::value_error("activ: no activation named '" + name + "'");
  return *info;
}

nn::OptionValues option_values(const nn::ActivationInfo& info, const py::dict& options) {
  nn::OptionValues values;
  for (const auto& [key, value] : options) {
    const std::string name = py::str(key);
    const nn::OptionInfo* option = nullptr;
    for (const nn::OptionInfo& candidate : info.options) {
      if (candidate.name == name) option = &candidate;
    }
    if (option == nullptr) {
      throw py::type_error(info.functional_name + "() got an unexpected keyword argument '" + name +
                           "'");
    }
    values[name] = option_text(*option, value, info.functional_name);
  }
  return values;
}

// out= of torch: a tensor of the result's shape and dtype that receives it.
void write_out(const Tensor& result, const Tensor& out, const std::string& op) {
  if (out.sizes() != result.sizes() || out.dtype() != result.dtype()) {
    throw activ::ShapeError(op + ": out= expects a " + std::string(activ::name(result.dtype())) +
                            " tensor of shape " + activ::shape_str(result.sizes()) + ", got " +
                            std::string(activ::name(out.dtype())) + " of shape " +
                            activ::shape_str(out.sizes()));
  }
  Tensor destination = out;
  destination.copy_(result);
}

bool is_inplace(const nn::OptionValues& values) {
  const auto it = values.find("inplace");
  return it != values.end() && it->second == "True";
}

py::object forward(const std::string& name, py::handle input, const py::dict& options,
                   py::handle out) {
  const nn::ActivationInfo& info = activation(name);
  const nn::OptionValues values = option_values(info, options);
  const bool inplace = is_inplace(values);
  const Input x = to_input(input, info.functional_name, "input", inplace);
  Input destination;
  if (!out.is_none()) destination = to_input(out, info.functional_name, "out", true);
  Tensor result;
  {
    py::gil_scoped_release released;
    result = info.forward(x.tensor, values);
    if (destination.tensor.defined()) write_out(result, destination.tensor, info.functional_name);
  }
  if (inplace) return py::reinterpret_borrow<py::object>(input);
  if (!out.is_none()) return py::reinterpret_borrow<py::object>(out);
  return to_python(result, x.kind);
}

py::object backward(const std::string& name, py::handle grad_output, py::handle input,
                    const py::dict& options) {
  const nn::ActivationInfo& info = activation(name);
  nn::OptionValues values = option_values(info, options);
  values.erase("inplace");  // the gradient is a new tensor either way
  const std::string op = info.functional_name + "_backward";
  const Input g = to_input(grad_output, op, "grad_output", false);
  const Input x = to_input(input, op, "input", false);
  Tensor result;
  {
    py::gil_scoped_release released;
    result = info.backward(g.tensor, x.tensor, values);
  }
  return to_python(result, x.kind);
}

// The activations with learnable tensors: their functional forms take those tensors, as
// prelu(input, weight) does, and their backward returns a gradient for each.
struct Parametric {
  std::vector<std::string> parameters;
  std::function<Tensor(const std::vector<Tensor>&)> forward;  // (input, parameters...)
  std::function<std::vector<Tensor>(const std::vector<Tensor>&)> backward;  // (grad, input, ...)
};

template <std::size_t N, class Fn>
decltype(auto) call_with(const Fn& fn, const std::vector<Tensor>& arguments) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return fn(arguments[I]...);
  }
  (std::make_index_sequence<N>{});
}

// The members of a gradients struct ({input, weight}, {input, mu, sigma}) in order.
template <std::size_t N, class Gradients>
std::vector<Tensor> gradient_list(const Gradients& gradients) {
  if constexpr (N == 2) {
    const auto& [a, b] = gradients;
    return {a, b};
  } else {
    static_assert(N == 3, "add the gradient count here");
    const auto& [a, b, c] = gradients;
    return {a, b, c};
  }
}

template <nn::ActivationKind kKind, std::size_t kParameters>
void add_parametric(std::map<std::string, Parametric>& registry, const char* name,
                    std::vector<std::string> parameters, const auto& forward_fn,
                    const auto& backward_fn) {
  if constexpr (kKind == nn::ActivationKind::kParametric) {
    registry[name] = {
        std::move(parameters),
        [forward_fn](const std::vector<Tensor>& a) {
          return call_with<kParameters + 1>(forward_fn, a);
        },
        [backward_fn](const std::vector<Tensor>& a) {
          return gradient_list<kParameters + 1>(call_with<kParameters + 2>(backward_fn, a));
        }};
  }
}

const std::map<std::string, Parametric>& parametric_activations() {
  static const std::map<std::string, Parametric> registry = [] {
    std::map<std::string, Parametric> result;
#define ACTIV_PY_PARAMETER_NAME(name) #name,
#define ACTIV_PY_PARAMETRIC(Name, functional, kind, OPTIONS, PARAMETERS)                  \
  {                                                                                       \
    const std::vector<std::string> names = {PARAMETERS};                                  \
    constexpr std::size_t count =                                                         \
        std::initializer_list<const char*>{PARAMETERS nullptr}.size() - 1;                \
    add_parametric<nn::ActivationKind::kind, count>(                                      \
        result, #functional, names, [](const auto&... a) { return F::functional(a...); }, \
        [](const auto&... a) { return F::functional##_backward(a...); });                 \
  }
    ACTIV_SHAPED_ACTIVATIONS(ACTIV_PY_PARAMETRIC, ACTIV_IGNORE_OPTION, ACTIV_PY_PARAMETER_NAME)
#undef ACTIV_PY_PARAMETRIC
#undef ACTIV_PY_PARAMETER_NAME
    return result;
  }();
  return registry;
}

const Parametric& parametric(const std::string& name) {
  const auto it = parametric_activations().find(name);
  if (it == parametric_activations().end()) {
    throw py::value_error("activ: no activation with learnable tensors named '" + name + "'");
  }
  return it->second;
}

// Converts input and the learnable tensors; checks their count.
std::vector<Input> parametric_inputs(const std::string& op, const Parametric& entry,
                                     const std::vector<std::pair<const char*, py::handle>>& leading,
                                     const py::sequence& parameters) {
  if (py::len(parameters) != entry.parameters.size()) {
    throw py::type_error(op + "() expects " + std::to_string(entry.parameters.size()) +
                         " learnable tensors, got " + std::to_string(py::len(parameters)));
  }
  std::vector<Input> inputs;
  for (const auto& [name, object] : leading) inputs.push_back(to_input(object, op, name, false));
  for (std::size_t i = 0; i < entry.parameters.size(); ++i) {
    inputs.push_back(to_input(parameters[i], op, entry.parameters[i].c_str(), false));
  }
  return inputs;
}

std::vector<Tensor> tensors_of(const std::vector<Input>& inputs) {
  std::vector<Tensor> tensors;
  for (const Input& input : inputs) tensors.push_back(input.tensor);
  return tensors;
}

py::object parametric_forward(const std::string& name, py::handle input,
                              const py::sequence& parameters) {
  const Parametric& entry = parametric(name);
  const std::vector<Input> inputs = parametric_inputs(name, entry, {{"input", input}}, parameters);
  const std::vector<Tensor> tensors = tensors_of(inputs);
  Tensor result;
  {
    py::gil_scoped_release released;
    result = entry.forward(tensors);
  }
  return to_python(result, inputs[0].kind);
}

py::tuple parametric_backward(const std::string& name, py::handle grad_output, py::handle input,
                              const py::sequence& parameters) {
  const Parametric& entry = parametric(name);
  const std::string op = name + "_backward";
  const std::vector<Input> inputs =
      parametric_inputs(op, entry, {{"grad_output", grad_output}, {"input", input}}, parameters);
  const std::vector<Tensor> tensors = tensors_of(inputs);
  std::vector<Tensor> gradients;
  {
    py::gil_scoped_release released;
    gradients = entry.backward(tensors);
  }
  py::tuple result(gradients.size());
  for (std::size_t i = 0; i < gradients.size(); ++i)
    result[i] = to_python(gradients[i], inputs[1].kind);
  return result;
}

py::list catalogue() {
  py::list result;
  for (const auto* list : {&nn::elementwise_activations(), &nn::shaped_activations()}) {
    for (const nn::ActivationInfo& info : *list) {
      py::list options;
      for (const nn::OptionInfo& option : info.options) {
        options.append(py::make_tuple(option.name, option.type, option.default_value));
      }
      py::dict entry;
      entry["module"] = info.module_name;
      entry["functional"] = info.functional_name;
      entry["kind"] = kind_name(info.kind);
      entry["options"] = options;
      entry["parameters"] = info.parameters;
      entry["formula"] = info.formula;
      result.append(entry);
    }
  }
  return result;
}

std::string module_repr(const std::string& name, const py::dict& options) {
  const nn::ActivationInfo& info = activation(name);
  return info.repr(option_values(info, options));
}

}  // namespace

PYBIND11_MODULE(_activ, m) {
  m.doc() = "activ's activations on NumPy arrays and torch tensors, without copies";
  // activ's errors as the exceptions torch raises for the same mistake.
  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const activ::IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const activ::ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const activ::OutOfMemoryError& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    } catch (const activ::IoError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const activ::Error& e) {  // shapes and dtypes: torch raises RuntimeError
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
  m.def("catalogue", &catalogue,
        "Every activation: names, kind, options (name, type, default), learnable tensors");
  m.def("forward", &forward, py::arg("name"), py::arg("input"), py::arg("options"),
        py::arg("out") = py::none());
  m.def("backward", &backward, py::arg("name"), py::arg("grad_output"), py::arg("input"),
        py::arg("options"));
  m.def("parametric_forward", &parametric_forward, py::arg("name"), py::arg("input"),
        py::arg("parameters"));
  m.def("parametric_backward", &parametric_backward, py::arg("name"), py::arg("grad_output"),
        py::arg("input"), py::arg("parameters"));
  m.def("module_repr", &module_repr, py::arg("name"), py::arg("options"));
  m.def("set_num_threads", &activ::set_num_threads, py::arg("threads"),
        "Threads used by activ's kernels (>= 1)");
  m.def("get_num_threads", &activ::get_num_threads);
}
