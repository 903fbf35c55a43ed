// Reading and atomic writing of whole files for the formats in src/io; see file_io.h.
#include "io/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace activ::io_detail {

std::string errno_message(int error) {
  return std::generic_category().message(error);
}

std::string quote_bytes(std::string_view bytes, std::size_t limit) {
  std::string out = "'";
  for (std::size_t i = 0; i < std::min(bytes.size(), limit); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  out += bytes.size() > limit ? "'..." : "'";
  return out;
}

void fail(std::string_view op, std::string_view source, std::string_view problem) {
  std::string message(op);
  message += ": '";
  message += source;
  message += "': ";
  message += problem;
  throw IoError(message);
}

void SpanSource::read(std::byte* destination, std::size_t count) {
  std::memcpy(destination, bytes_.data() + position_, count);
  position_ += count;
}

FileSource::FileSource(std::string op, const std::string& path) : op_(std::move(op)), path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) fail(op_, path_, "expected a readable file, got: " + errno_message(errno));
  struct stat status {};
  if (::fstat(fd_, &status) != 0) {
    const int error = errno;
    ::close(fd_);
    fail(op_, path_, "expected a readable file, got: " + errno_message(error));
  }
  if (!S_ISREG(status.st_mode)) {
    ::close(fd_);
    fail(op_, path_,
         std::string("expected a regular file, got ") +
             (S_ISDIR(status.st_mode) ? "a directory" : "a special file"));
  }
  size_ = static_cast<std::uint64_t>(status.st_size);
}

FileSource::~FileSource() {
  ::close(fd_);
}

void FileSource::read(std::byte* destination, std::size_t count) {
  std::size_t done = 0;
  while (done < count) {
    const ::ssize_t got = ::read(fd_, destination + done, count - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail(op_, path_, "expected to read the file, got: " + errno_message(errno));
    if (got == 0) {
      fail(op_, path_,
           "the file shrank while being read: expected " + std::to_string(count) +
               " more bytes, got " + std::to_string(done));
    }
    done += static_cast<std::size_t>(got);
  }
}

namespace {

void write_all(std::string_view op, const std::string& path, int fd,
               std::span<const std::byte> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ::ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) fail(op, path, "expected to write the file, got: " + errno_message(errno));
    done += static_cast<std::size_t>(wrote);
  }
}

// Creates a new file next to path, under a name no other writer uses; returns its descriptor.
int create_temporary(std::string_view op, const std::filesystem::path& path,
                     std::string& temporary_path) {
  static std::atomic<std::uint64_t> counter{0};
  const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : ".";
  for (;;) {
    // Hidden, and unique per process and call.
    std::string name = ".";
    name += path.filename().string();
    name += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
    temporary_path = (directory / name).string();
    const int fd = ::open(temporary_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    // A file left by a crashed process with the same pid: try the next name.
    if (errno == EEXIST) continue;
    fail(op, path.string(),
         "expected to create a temporary file in " + quote_bytes(directory.string(), 200) +
             ", got: " + errno_message(errno));
  }
}

}  // namespace

void write_file_atomically(std::string_view op, const std::string& path,
                           std::span<const std::span<const std::byte>> pieces) {
  const std::filesystem::path target(path);
  if (!target.has_filename()) fail(op, path, "expected a path to a file, got a directory path");
  std::string temporary_path;
  const int fd = create_temporary(op, target, temporary_path);
  try {
    for (const auto piece : pieces) write_all(op, path, fd, piece);
    // Flushed before the rename, so a crash leaves the old file or the whole new one.
    if (::fsync(fd) != 0)
      fail(op, path, "expected to flush the file, got: " + errno_message(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(temporary_path.c_str());
    throw;
  }
  const bool closed = ::close(fd) == 0;
  if (!closed || ::rename(temporary_path.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary_path.c_str());
    fail(op, path,
         std::string("expected to ") + (closed ? "replace" : "close") +
             " the file, got: " + errno_message(error));
  }
}

}  // namespace activ::io_detail
