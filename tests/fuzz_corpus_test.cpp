// Replays the committed fuzz inputs (fuzz/corpus/<target>/: the seeds and every input that once
// crashed a fuzzer) with the normal build: through the readers, where each must load or raise
// IoError and what loads must survive a write/read round trip; and as command lines of the
// activ program, which must exit 0, 1 or 2 rather than crash.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "activ/npy.h"
#include "activ/safetensors.h"
#include "activ/tensor.h"

namespace {

namespace fs = std::filesystem;

const fs::path kCorpus =
    fs::path(ACTIV_TEST_DATA_DIR).parent_path().parent_path() / "fuzz" / "corpus";

std::vector<std::byte> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto bytes = std::as_bytes(std::span(content));
  return {bytes.begin(), bytes.end()};
}

std::vector<fs::path> inputs(const std::string& target) {
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(kCorpus / target)) paths.push_back(entry.path());
  return paths;
}

TEST(FuzzCorpus, NpyInputsLoadOrRaiseIoError) {
  const std::vector<fs::path> paths = inputs("npy");
  EXPECT_GE(paths.size(), 10u);
  for (const fs::path& path : paths) {
    SCOPED_TRACE(path.string());
    try {
      const activ::Tensor loaded = activ::load_npy_bytes(read_bytes(path), path.string());
      const activ::Tensor reloaded = activ::load_npy_bytes(activ::to_npy_bytes(loaded), "again");
      EXPECT_EQ(reloaded.sizes(), loaded.sizes());
      EXPECT_EQ(reloaded.dtype(), loaded.dtype());
      EXPECT_EQ(activ::to_npy_bytes(reloaded), activ::to_npy_bytes(loaded));
    } catch (const activ::IoError& error) {
      EXPECT_NE(std::string(error.what()).find("load_npy: '" + path.string() + "': "),
                std::string::npos)
          << error.what();
    }
  }
}

TEST(FuzzCorpus, SafetensorsInputsLoadOrRaiseIoError) {
  const std::vector<fs::path> paths = inputs("safetensors");
  EXPECT_GE(paths.size(), 5u);
  for (const fs::path& path : paths) {
    SCOPED_TRACE(path.string());
    try {
      const activ::NamedTensors loaded =
          activ::load_safetensors_bytes(read_bytes(path), path.string());
      const auto bytes = activ::to_safetensors_bytes(loaded);
      EXPECT_EQ(activ::to_safetensors_bytes(activ::load_safetensors_bytes(bytes, "again")), bytes);
    } catch (const activ::IoError& error) {
      EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
    }
  }
}

#ifdef ACTIV_CLI
// The arguments of a cli_eval input, one per line (as fuzz/cli_eval_fuzz.cpp reads them).
std::vector<std::string> arguments_of(const std::string& text) {
  std::vector<std::string> arguments;
  for (std::size_t start = 0; !text.empty() && start <= text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    arguments.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return arguments;
}

// Runs the activ program with arguments in directory, output discarded; returns its wait status.
int run_cli(const std::vector<std::string>& arguments, const fs::path& directory) {
  std::vector<std::string> strings = {ACTIV_CLI};
  strings.insert(strings.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : strings) argv.push_back(argument.data());
  argv.push_back(nullptr);
  const pid_t child = ::fork();
  if (child == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    if (null < 0 || ::dup2(null, 1) < 0 || ::dup2(null, 2) < 0 || ::chdir(directory.c_str()) != 0)
      std::_Exit(127);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return status;
}

TEST(FuzzCorpus, CliEvalInputsExitWithAStatus) {
  const std::vector<fs::path> paths = inputs("cli_eval");
  EXPECT_GE(paths.size(), 20u);
  // The files the fuzzer's working directory holds.
  std::string pattern = (fs::temp_directory_path() / "activ_cli_corpus.XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path directory = pattern;
  for (const fs::path& path : paths) {
    SCOPED_TRACE(path.string());
    activ::save_npy((directory / "x.npy").string(),
                    activ::arange(-3.0, 3.0, 0.5, activ::float32).reshape({3, 4}));
    activ::save_npy((directory / "g.npy").string(), activ::ones({3, 4}, activ::float64));
    std::ifstream in(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const int status = run_cli(arguments_of(text), directory);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
    EXPECT_LE(WEXITSTATUS(status), 2);
  }
  fs::remove_all(directory);
}
#endif

}  // namespace
