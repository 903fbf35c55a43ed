// No data lost: a writer killed at any moment leaves the target path holding the whole old file
// or the whole new one (save_npy, save_safetensors, nn::save, save_figure), and the readers
// leave their input untouched. A forked child saves two versions in turn as fast as it can;
// the parent kills it with SIGKILL at random moments and byte-compares what is at the path.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "activ/nn/layers.h"
#include "activ/nn/module.h"
#include "activ/npy.h"
#include "activ/plot.h"
#include "activ/safetensors.h"
#include "activ/tensor.h"

namespace {

namespace fs = std::filesystem;

using Writer = std::function<void(const std::string& path, int version)>;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class AtomicWrite : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "activ_atomic_write.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { fs::remove_all(directory_); }

  // Kills a child that saves versions 1 and 0 in turn to path (holding version 0 at first)
  // `kills` times, each at a random moment after its first complete save, and checks that path
  // then holds one whole version and that nothing but the hidden temporary files of killed
  // writers is left beside it. Records how many kills left such a temporary file, i.e. landed
  // while a file was being written (how often depends on the machine's speed, so not asserted).
  void kill_writers_midway(const std::string& file_name, const Writer& write, int kills) {
    const fs::path path = directory_ / file_name;
    write(path.string(), 1);
    const std::string new_bytes = read_file(path);
    write(path.string(), 0);
    const std::string old_bytes = read_file(path);
    EXPECT_NE(old_bytes, new_bytes) << "the two versions must differ to tell them apart";

    std::mt19937 random(std::random_device{}());
    int interrupted_writes = 0;
    for (int kill = 0; kill < kills; ++kill) {
      int saved[2];
      if (::pipe(saved) != 0) ADD_FAILURE() << "pipe failed";
      const pid_t child = ::fork();
      if (child == 0) {
        ::close(saved[0]);
        for (int version = 1;; version ^= 1) {
          write(path.string(), version);
          const char done = 1;
          if (::write(saved[1], &done, 1) != 1) std::_Exit(1);
        }
      }
      ::close(saved[1]);
      char done = 0;
      EXPECT_EQ(::read(saved[0], &done, 1), 1) << "the writer died before its first save";
      std::this_thread::sleep_for(
          std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(random)));
      ::kill(child, SIGKILL);
      int status = 0;
      ::waitpid(child, &status, 0);
      ::close(saved[0]);
      EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;

      const std::string bytes = read_file(path);
      EXPECT_TRUE(bytes == old_bytes || bytes == new_bytes)
          << file_name << " after kill " << kill << ": " << bytes.size() << " bytes, neither the "
          << old_bytes.size() << " of the old version nor the " << new_bytes.size()
          << " of the new";
      const std::string temporary_prefix = "." + file_name + ".tmp-" + std::to_string(child) + "-";
      for (const auto& entry : fs::directory_iterator(directory_)) {
        if (entry.path() == path) continue;
        EXPECT_EQ(entry.path().filename().string().rfind(temporary_prefix, 0), 0u)
            << "unexpected file " << entry.path();
        fs::remove(entry.path());
        ++interrupted_writes;
      }
    }
    RecordProperty("interrupted_writes", interrupted_writes);
  }

  fs::path directory_;
};

// Big enough that writing takes a while, so that kills land inside writes.
activ::Tensor large_tensor(int version) {
  return activ::full({1024, 1024}, static_cast<double>(version) + 0.5, activ::float64);
}

constexpr int kKills = 12;

TEST_F(AtomicWrite, KilledSaveNpyLeavesOldOrNewFile) {
  kill_writers_midway(
      "x.npy",
      [](const std::string& path, int version) { activ::save_npy(path, large_tensor(version)); },
      kKills);
}

TEST_F(AtomicWrite, KilledSaveSafetensorsLeavesOldOrNewFile) {
  kill_writers_midway(
      "x.safetensors",
      [](const std::string& path, int version) {
        activ::save_safetensors(path, {{"weight", large_tensor(version)},
                                       {"bias", activ::zeros({version + 1}, activ::float32)}});
      },
      kKills);
}

TEST_F(AtomicWrite, KilledNnSaveLeavesOldOrNewFile) {
  kill_writers_midway(
      "model.safetensors",
      [](const std::string& path, int version) {
        activ::manual_seed(static_cast<std::uint64_t>(version));
        const activ::nn::Linear layer(1024, 512);
        activ::nn::save(layer, path);
      },
      kKills);
}

TEST_F(AtomicWrite, KilledSaveFigureLeavesOldOrNewFile) {
  kill_writers_midway(
      "figure.png",
      [](const std::string& path, int version) {
        activ::Series curve;
        for (int i = 0; i <= 2000; ++i) {
          curve.x.push_back(i / 100.0);
          curve.y.push_back(std::sin(curve.x.back() * (version + 1)));
        }
        activ::FigureOptions options;
        options.width = 1600;
        options.height = 1200;
        options.title = "version " + std::to_string(version);
        activ::save_figure(path, {curve}, options);
      },
      kKills);
}

// SIGTERM and SIGINT end a writer without leaving its temporary file behind (which for a large
// tensor was tens of megabytes).
TEST_F(AtomicWrite, TerminatedWritersLeaveNoTemporaryFile) {
  const fs::path path = directory_ / "x.npy";
  std::mt19937 random(std::random_device{}());
  for (const int signal_number : {SIGTERM, SIGINT}) {
    for (int attempt = 0; attempt < 6; ++attempt) {
      int saved[2];
      ASSERT_EQ(::pipe(saved), 0);
      const pid_t child = ::fork();
      if (child == 0) {
        ::close(saved[0]);
        ::signal(signal_number, SIG_DFL);  // as in a program that sets no handler of its own
        for (int version = 1;; version ^= 1) {
          activ::save_npy(path.string(), large_tensor(version));
          const char done = 1;
          if (::write(saved[1], &done, 1) != 1) std::_Exit(1);
        }
      }
      ::close(saved[1]);
      char done = 0;
      EXPECT_EQ(::read(saved[0], &done, 1), 1) << "the writer died before its first save";
      std::this_thread::sleep_for(
          std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(random)));
      ::kill(child, signal_number);
      int status = 0;
      ::waitpid(child, &status, 0);
      ::close(saved[0]);
      EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == signal_number) << "status " << status;
      for (const auto& entry : fs::directory_iterator(directory_))
        EXPECT_EQ(entry.path(), path) << "left behind after signal " << signal_number;
    }
  }
}

// The temporary files of writers that are gone (SIGKILL, which no handler sees) are removed by
// the next write to the same file; those of running writers are not.
TEST_F(AtomicWrite, NextWriteRemovesTemporariesOfGoneWriters) {
  const pid_t gone = ::fork();
  if (gone == 0) std::_Exit(0);
  ASSERT_EQ(::waitpid(gone, nullptr, 0), gone);
  const fs::path stale = directory_ / (".x.npy.tmp-" + std::to_string(gone) + "-0");
  const fs::path running = directory_ / (".x.npy.tmp-" + std::to_string(::getpid()) + "-999");
  const fs::path other_file = directory_ / (".y.npy.tmp-" + std::to_string(gone) + "-0");
  for (const fs::path& file : {stale, running, other_file}) std::ofstream(file) << "partial";
  activ::save_npy((directory_ / "x.npy").string(), activ::ones({2}));
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(running));
  EXPECT_TRUE(fs::exists(other_file));
}

// A replaced file keeps its permissions (a 0600 file became world-readable 0644).
TEST_F(AtomicWrite, ReplacedFilesKeepTheirMode) {
  const auto mode_of = [](const fs::path& path) {
    struct stat status {};
    EXPECT_EQ(::stat(path.c_str(), &status), 0);
    return status.st_mode & 07777;
  };
  const fs::path npy = directory_ / "x.npy", model = directory_ / "model.safetensors";
  activ::save_npy(npy.string(), activ::ones({2}));
  const activ::nn::Linear layer(2, 2);
  activ::nn::save(layer, model.string());
  for (const fs::path& path : {npy, model}) ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  activ::save_npy(npy.string(), activ::zeros({3}));
  activ::nn::save(layer, model.string());
  EXPECT_EQ(mode_of(npy), 0600u);
  EXPECT_EQ(mode_of(model), 0600u);
}

struct FileState {
  std::string bytes;
  struct timespec modified {};
  mode_t mode = 0;
};

FileState state_of(const fs::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0);
  return {read_file(path), status.st_mtim, status.st_mode};
}

void expect_unchanged(const FileState& before, const fs::path& path) {
  const FileState after = state_of(path);
  EXPECT_EQ(after.bytes, before.bytes) << path;
  EXPECT_EQ(after.modified.tv_sec, before.modified.tv_sec) << path;
  EXPECT_EQ(after.modified.tv_nsec, before.modified.tv_nsec) << path;
  EXPECT_EQ(after.mode, before.mode) << path;
}

TEST_F(AtomicWrite, ReadersLeaveTheirInputUntouched) {
  const fs::path npy = directory_ / "x.npy", safetensors = directory_ / "x.safetensors",
                 model = directory_ / "model.safetensors";
  activ::save_npy(npy.string(), large_tensor(0));
  activ::save_safetensors(safetensors.string(), {{"weight", large_tensor(1)}}, {{"format", "pt"}});
  activ::nn::Linear layer(8, 4);
  activ::nn::save(layer, model.string());
  // Older than anything written now, so that a rewrite in the same clock tick still shows.
  for (const fs::path& path : {npy, safetensors, model})
    fs::last_write_time(path, fs::last_write_time(path) - std::chrono::hours(1));
  const FileState npy_before = state_of(npy), safetensors_before = state_of(safetensors),
                  model_before = state_of(model);

  EXPECT_EQ(activ::load_npy(npy.string()).sizes(), large_tensor(0).sizes());
  EXPECT_EQ(activ::load_safetensors(safetensors.string()).size(), 1u);
  EXPECT_EQ(activ::load_safetensors_metadata(safetensors.string()).at("format"), "pt");
  activ::nn::load(layer, model.string());

  expect_unchanged(npy_before, npy);
  expect_unchanged(safetensors_before, safetensors);
  expect_unchanged(model_before, model);
  // Nothing was created beside them either.
  EXPECT_EQ(std::distance(fs::directory_iterator(directory_), fs::directory_iterator()), 3);
}

}  // namespace
