// Internal helpers of the file formats in src/io: bounded reading from a file or a byte span,
// writing a file through a temporary file and a rename, and quoting bytes in messages.
// Every error is an IoError whose message starts with "<op>: '<path or source name>': ".
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "activ/error.h"

namespace activ::io_detail {

// The text of an errno value, e.g. "No such file or directory".
std::string errno_message(int error);

// bytes as a quoted, printable string for messages, escaped as Python's repr escapes them; at
// most limit bytes are shown, "..." follows when there were more.
std::string quote_bytes(std::string_view bytes, std::size_t limit = 24);

// "<op>: '<source>': <problem>" as an IoError.
[[noreturn]] void fail(std::string_view op, std::string_view source, std::string_view problem);

// The bytes of a file, read front to back; callers check sizes against size() before a read,
// so a read only fails when a file shrinks while it is being read.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::uint64_t size() const = 0;
  virtual void read(std::byte* destination, std::size_t count) = 0;
};

class SpanSource final : public ByteSource {
 public:
  explicit SpanSource(std::span<const std::byte> bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  void read(std::byte* destination, std::size_t count) override;

 private:
  std::span<const std::byte> bytes_;
  std::size_t position_ = 0;
};

// A regular file opened for reading; op names the operation in errors.
class FileSource final : public ByteSource {
 public:
  FileSource(std::string op, const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  std::uint64_t size() const override { return size_; }
  void read(std::byte* destination, std::size_t count) override;

 private:
  std::string op_;
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// Writes the concatenation of pieces to path: to a new hidden file in the same directory, flushed,
// then renamed over path, so path holds the old file or the whole new one, never a part (a
// symlink at path is replaced, not followed); the new file keeps a replaced file's permissions
// and, where the process may, its owner, and the directory is flushed after the rename. On
// failure, SIGINT or SIGTERM the temporary file is removed; those of killed writers (named
// ".<name>.tmp-<pid>...", pid gone) are removed by the next write to path. A FIFO, device or
// socket at path is written into directly.
void write_file_atomically(std::string_view op, const std::string& path,
                           std::span<const std::span<const std::byte>> pieces);

struct TemporarySlot;

// Registers a temporary file (or empty-at-the-end directory) for its lifetime: if SIGINT or
// SIGTERM ends the process meanwhile, files are removed, then directories. The handlers are
// installed on first use, for signals whose action is still the default.
class RemovedOnSignal {
 public:
  explicit RemovedOnSignal(const std::string& path, bool directory = false);
  ~RemovedOnSignal();
  RemovedOnSignal(const RemovedOnSignal&) = delete;
  RemovedOnSignal& operator=(const RemovedOnSignal&) = delete;

 private:
  TemporarySlot* slot_ = nullptr;  // null when the table was full
};

// Removes the temporary files and directories next to target (".<name>.tmp-<pid>...") that
// processes no longer running left behind.
void remove_stale_temporaries(const std::filesystem::path& target);

}  // namespace activ::io_detail
