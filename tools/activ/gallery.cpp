// activ gallery -o DIR: a figure of every activation of the catalogue (function and derivative,
// PNG) and DIR/index.html describing each one: formula, options with torch's defaults, accuracy
// and figure. Everything is written into a temporary directory next to DIR first and then moved
// in, figures before the index, so DIR never holds a half-written file or an index whose
// figures are missing.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "activ/error.h"
#include "activ/plot.h"
#include "activation_figure.h"
#include "activation_reference.h"
#include "catalogue_lookup.h"
#include "commands.h"
#include "io/file_io.h"

namespace activ::cli {
namespace {

namespace fs = std::filesystem;

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The accuracy the tests hold each activation to.
std::string accuracy_of(const nn::ActivationInfo& info) {
  static const std::set<std::string> smooth = [] {
    std::set<std::string> modules;
    for (const reference::Function& function : reference::functions())
      modules.insert(function.module);
    return modules;
  }();
  if (smooth.count(info.module_name)) {
    return "float32 and float64: forward within 4 ULP and backward within 8 ULP of the exact "
           "function (tests/activation_accuracy_test.cpp)";
  }
  if (info.kind == nn::ActivationKind::kElementwise)
    return "piecewise: bit-identical to PyTorch 1.13 (tests/activation_reference_test.cpp)";
  return "PyTorch 1.13's values and gradients (tests/dim_activation_test.cpp)";
}

std::string options_html(const nn::ActivationInfo& info) {
  if (info.options.empty()) return "<p>No options.</p>\n";
  std::string out = "<table><tr><th>option</th><th>type</th><th>default</th></tr>\n";
  for (const nn::OptionInfo& option : info.options) {
    out += "<tr><td><code>" + html_escape(option.name) + "</code></td><td>" +
           html_escape(option.type) + "</td><td><code>" + html_escape(option.default_value) +
           "</code></td></tr>\n";
  }
  return out + "</table>\n";
}

constexpr const char* kStyle =
    R"(body { font-family: sans-serif; max-width: 960px; margin: 2em auto; color: #222; }
nav a { margin-right: 0.8em; }
section { border-top: 1px solid #ddd; padding-top: 1em; margin-top: 1.5em; }
code { background: #f4f4f4; padding: 0 0.2em; }
table { border-collapse: collapse; margin: 0.5em 0; }
td, th { border: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; }
img { max-width: 100%; }
)";

std::string figure_file(const nn::ActivationInfo& info) {
  return info.functional_name + ".png";
}

std::string index_html(const std::vector<const nn::ActivationInfo*>& activations) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>activ: activation functions</title>\n<style>\n" +
      std::string(kStyle) +
      "</style>\n</head>\n<body>\n<h1>Activation functions</h1>\n"
      "<p>Every activation of activ with PyTorch 1.13's semantics: its formula, its options with "
      "torch's defaults, the accuracy the tests hold it to, and a figure of the function and of "
      "its derivative with the default options. Draw others with <code>activ plot NAME --OPTION "
      "VALUE -o FILE.png</code>.</p>\n<nav>\n";
  for (const nn::ActivationInfo* info : activations) {
    out +=
        "<a href=\"#" + info->functional_name + "\">" + html_escape(info->module_name) + "</a>\n";
  }
  out += "</nav>\n";
  for (const nn::ActivationInfo* info : activations) {
    const std::string repr = info->repr({});
    out += "<section id=\"" + info->functional_name + "\">\n<h2>" + html_escape(info->module_name) +
           " <small><code>" + html_escape(info->functional_name) + "</code></small></h2>\n" +
           "<p>Formula: <code>" + html_escape(info->formula) + "</code></p>\n" +
           options_html(*info);
    if (!info->parameters.empty()) {
      std::string parameters;
      for (const std::string& parameter : info->parameters)
        parameters += (parameters.empty() ? "" : ", ") + parameter;
      out += "<p>Learnable: <code>" + html_escape(parameters) + "</code>.</p>\n";
    }
    out += "<p>Accuracy: " + html_escape(accuracy_of(*info)) + ".</p>\n";
    if (info->kind == nn::ActivationKind::kDim) {
      out += "<p>A function of a vector; the figure's x axis: " +
             html_escape(probe_of("gallery", *info).description) + ".</p>\n";
    }
    out += "<img src=\"" + figure_file(*info) + "\" alt=\"" + html_escape(repr) +
           " and its derivative\" width=\"640\" height=\"400\">\n</section>\n";
  }
  return out + "</body>\n</html>\n";
}

// A directory removed with everything in it when the gallery fails halfway or SIGINT or SIGTERM
// stops it; those of killed galleries go when the next one starts.
class ScratchDirectory {
 public:
  explicit ScratchDirectory(const fs::path& next_to) {
    path_ = next_to.parent_path() /
            ("." + next_to.filename().string() + ".tmp-" + std::to_string(getpid()));
    io_detail::remove_stale_temporaries(next_to);
    std::error_code error;
    fs::remove_all(path_, error);
    if (!fs::create_directories(path_, error) && error) {
      throw IoError("gallery: cannot create '" + path_.string() + "': " + error.message());
    }
    removed_on_signal_.emplace_back(std::make_unique<io_detail::RemovedOnSignal>(path_, true));
  }
  // A file of the directory, removed on a signal until it has moved out.
  void add_file(const std::string& name) {
    removed_on_signal_.emplace_back(std::make_unique<io_detail::RemovedOnSignal>(path_ / name));
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  std::vector<std::unique_ptr<io_detail::RemovedOnSignal>> removed_on_signal_;
};

void move_into(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::rename(from, to, error);
  if (error) {
    throw IoError("gallery: cannot write '" + to.string() + "': " + error.message());
  }
}

void run_gallery(const std::string& directory) {
  if (directory.empty()) throw UsageError("gallery: missing -o DIR");
  // Without a trailing separator ("out/", "."), so that the scratch directory is its sibling.
  fs::path target_dir = fs::absolute(directory).lexically_normal();
  if (!target_dir.has_filename()) target_dir = target_dir.parent_path();
  std::error_code error;
  if (fs::exists(target_dir, error) && !fs::is_directory(target_dir, error))
    throw IoError("gallery: '" + directory + "' exists and is not a directory");
  ScratchDirectory scratch(target_dir);

  const std::vector<const nn::ActivationInfo*> activations = all_activations();
  std::vector<std::string> files;
  for (const nn::ActivationInfo* info : activations) {
    FigureRequest request;
    request.functions.push_back({info, {}, info->repr({})});
    request.derivative = true;
    request.height = 400;
    const ActivationFigure figure = activation_figure("gallery", request);
    scratch.add_file(figure_file(*info));  // before it exists: no moment unregistered
    save_figure((scratch.path() / figure_file(*info)).string(), figure.series, figure.options);
    files.push_back(figure_file(*info));
  }
  {
    scratch.add_file("index.html");
    std::ofstream page(scratch.path() / "index.html", std::ios::binary);
    page << index_html(activations);
    if (!page.flush())
      throw IoError("gallery: cannot write index.html in " + scratch.path().string());
  }
  files.push_back("index.html");  // last: it links the figures

  fs::create_directories(target_dir, error);
  if (error) throw IoError("gallery: cannot create '" + directory + "': " + error.message());
  for (const std::string& file : files) move_into(scratch.path() / file, target_dir / file);
  std::cout << "wrote " << activations.size() << " figures and "
            << (target_dir / "index.html").string() << '\n';
}

}  // namespace

void register_gallery(CLI::App& app) {
  auto directory = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "gallery", "Write a figure of every activation and an index.html describing them");
  command->add_option("-o,--output", *directory, "The directory (created if missing)")->required();
  command->footer(
      "Writes DIR/<functional name>.png (the function and its derivative with the default\n"
      "options) and DIR/index.html (formula, options and defaults, accuracy, figure).\n"
      "Files already in DIR are replaced one by one, the index last.\n"
      "Example:\n"
      "  activ gallery -o gallery && xdg-open gallery/index.html\n");
  command->callback([directory] { run_gallery(*directory); });
}

}  // namespace activ::cli
