// Replays the committed fuzz inputs (fuzz/corpus/<target>/: the seeds and every input that once
// crashed a fuzzer) through the readers with the normal build: each must load or raise IoError,
// and what loads must survive a write/read round trip.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "activ/npy.h"
#include "activ/safetensors.h"

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

}  // namespace
