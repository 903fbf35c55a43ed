// Fuzzes the activ command line with the real `list` and `eval` subcommands and the options of
// `bench` (--threads, --size: parsed and checked, not run): each input is an argv, one argument
// per line, parsed and run inside main.cpp's try/catch with the output discarded. An escaping
// exception, crash or sanitizer report is a bug. The other subcommands are left out: they draw
// figures (fuzz/plot_range_fuzz.cpp fuzzes plot's ranges) or run long benchmarks.
//
// eval reads and writes .npy files: the fuzzer runs in a fresh temporary directory holding two
// inputs, x.npy and g.npy, restored before every run, and arguments containing '/' are skipped
// so that no path leads out of it. Give libFuzzer absolute paths (corpus, -artifact_prefix), as
// scripts/fuzz does: the working directory changes before it reads them.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <span>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "activ/npy.h"
#include "activ/tensor.h"
#include "commands.h"

namespace {

namespace fs = std::filesystem;

// Accepts and drops everything, keeping the stream in a good state as a terminal would.
class DiscardingBuffer final : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize count) override { return count; }
};

struct InputFile {
  std::string name;
  std::vector<std::byte> bytes;
};

std::vector<InputFile>& input_files() {
  static std::vector<InputFile> files;
  return files;
}

// Empties the working directory, then writes the inputs again: an earlier run may have
// overwritten them with --output or left files of its own.
void restore_working_directory() {
  for (const auto& entry : fs::directory_iterator(fs::current_path())) fs::remove_all(entry);
  for (const InputFile& file : input_files()) {
    std::ofstream out(file.name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(file.bytes.data()),
              static_cast<std::streamsize>(file.bytes.size()));
  }
}

// As tools/activ/main.cpp reports a usage error, to a stream that is thrown away.
void report_usage_error(const CLI::App& app, const CLI::ParseError& error, std::ostream& out) {
  if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
    app.exit(error, out, out);
    return;
  }
  out << "activ: error: " << error.what() << "\n\n" << app.help();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static DiscardingBuffer discarding;
  std::cout.rdbuf(&discarding);
  std::cerr.rdbuf(&discarding);

  std::string directory = (fs::temp_directory_path() / "activ_cli_eval_fuzz.XXXXXX").string();
  if (::mkdtemp(directory.data()) == nullptr || ::chdir(directory.c_str()) != 0) std::abort();
  const activ::Tensor x = activ::arange(-3.0, 3.0, 0.5, activ::float32).reshape({3, 4});
  input_files() = {{"x.npy", activ::to_npy_bytes(x)},
                   {"g.npy", activ::to_npy_bytes(activ::ones({3, 4}, activ::float64))}};
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> arguments = {"activ"};
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (std::size_t start = 0; !text.empty() && start <= text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    arguments.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  for (const std::string& argument : arguments) {
    if (argument.find('/') != std::string::npos) return -1;  // not added to the corpus
  }
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());

  restore_working_directory();
  std::ostream discarded(std::cout.rdbuf());
  CLI::App app{"Neural-network activation functions with PyTorch's exact semantics.", "activ"};
  app.set_version_flag("--version", "activ fuzz");
  activ::cli::register_list(app);
  activ::cli::register_eval(app);
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& error) {
    report_usage_error(app, error, discarded);
  } catch (const activ::cli::UsageError& error) {
    discarded << error.what();
  } catch (const std::exception& error) {
    discarded << error.what();
  }
  // No catch (...): main.cpp has one as a last resort, but nothing activ throws should need it.
  return 0;
}
