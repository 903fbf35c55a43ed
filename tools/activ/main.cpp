// activ: the command-line front end of the library. Exit codes: 0 success, 1 runtime error,
// 2 bad usage.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string_view>

#include "commands.h"

namespace {

constexpr int kRuntimeError = 1;
constexpr int kUsageError = 2;

// CLI11's own exit codes for usage errors vary by kind (105, 106, 109...); callers only need
// to tell usage errors apart from runtime errors.
int report_usage_error(const CLI::App& app, const CLI::ParseError& error) {
  if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
    return app.exit(error);  // --help or --version
  }
  std::cerr << "activ: error: " << error.what() << "\n\n" << app.help();
  return kUsageError;
}

}  // namespace

// Output that could not be written (a full disk, a closed stdout) is a runtime error, not a
// success: flushes both streams, then checks them.
int checked_exit(int code) {
  std::cout.flush();
  const bool written = std::cout.good() && std::fflush(stdout) == 0 && std::ferror(stdout) == 0;
  if (written || code != 0) return code;
  std::cerr << "activ: error: cannot write to standard output: " << std::strerror(errno) << '\n';
  return kRuntimeError;
}

int run(int argc, char** argv) {
  CLI::App app{"Neural-network activation functions with PyTorch's exact semantics.", "activ"};
  app.set_version_flag("--version", "activ " ACTIV_VERSION);
  activ::cli::register_demo(app);
  activ::cli::register_accuracy(app);
  activ::cli::register_list(app);
  activ::cli::register_eval(app);
  activ::cli::register_plot(app);
  activ::cli::register_gallery(app);
  activ::cli::register_bench(app);
  activ::cli::register_train_demo(app);

  // Subcommands run as CLI11 callbacks inside parse, so their errors (activ::Error and any other
  // std::exception) surface here too; none may escape main and abort.
  // CLI11 prints the version as soon as it meets the flag and ignores what follows.
  if (argc > 2 && std::string_view(argv[1]) == "--version") {
    std::cerr << "activ: error: --version takes no arguments, got '" << argv[2] << "'\n";
    return kUsageError;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return report_usage_error(app, error);
  } catch (const activ::cli::UsageError& error) {
    std::cerr << "activ: error: " << error.what() << '\n';
    return kUsageError;
  } catch (const std::exception& error) {
    std::cerr << "activ: error: " << error.what() << '\n';
    return kRuntimeError;
  } catch (...) {
    std::cerr << "activ: error: unknown exception\n";
    return kRuntimeError;
  }
  // Checked here rather than with require_subcommand, which would hide a more precise error
  // such as an unknown option behind "a subcommand is required".
  if (app.get_subcommands().empty()) {
    std::cerr << "activ: error: a subcommand is required\n\n" << app.help();
    return kUsageError;
  }
  return 0;
}

int main(int argc, char** argv) {
  return checked_exit(run(argc, argv));
}
