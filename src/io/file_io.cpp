// Reading and atomic writing of whole files for the formats in src/io; see file_io.h.
#include "io/file_io.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>
#include <utility>

namespace activ::io_detail {

// A slot of the fixed table the signal handler reads without allocating or locking: free (0),
// being filled (1) or holding a path (2).
struct TemporarySlot {
  std::atomic<int> state{0};
  bool directory = false;
  char path[4096] = {};
};

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

// --- temporary paths removed on SIGINT and SIGTERM ---
TemporarySlot temporary_slots[64];

// Files first, then the directories that held them.
void remove_temporaries() {
  for (bool directories : {false, true}) {
    for (TemporarySlot& slot : temporary_slots) {
      if (slot.state.load(std::memory_order_acquire) == 2 && slot.directory == directories)
        directories ? ::rmdir(slot.path) : ::unlink(slot.path);
    }
  }
}

extern "C" void remove_temporaries_and_reraise(int signal_number) {
  const int saved_errno = errno;
  remove_temporaries();
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
  errno = saved_errno;
}

// Where the action is the default (a program's own handlers stay); checked at every
// registration, since a forked child or the program may have reset it.
void install_signal_handlers() {
  for (const int signal_number : {SIGINT, SIGTERM}) {
    struct sigaction current {};
    if (::sigaction(signal_number, nullptr, &current) != 0 || current.sa_handler != SIG_DFL)
      continue;
    struct sigaction action {};
    action.sa_handler = remove_temporaries_and_reraise;
    sigemptyset(&action.sa_mask);
    ::sigaction(signal_number, &action, nullptr);
  }
}

// True for ".<name>.tmp-<pid>" or ".<name>.tmp-<pid>-<n>" of a process that no longer runs.
bool is_stale_temporary(const std::string& entry, const std::string& prefix) {
  if (entry.rfind(prefix, 0) != 0) return false;
  const char* digits = entry.c_str() + prefix.size();
  char* end = nullptr;
  errno = 0;
  const long pid = std::strtol(digits, &end, 10);
  if (end == digits || errno != 0 || pid <= 0 || (*end != '\0' && *end != '-')) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// Creates a new file next to path, under a name no other writer uses; returns its descriptor.
int create_temporary(std::string_view op, const std::filesystem::path& path,
                     std::string& temporary_path,
                     std::optional<RemovedOnSignal>& removed_on_signal) {
  static std::atomic<std::uint64_t> counter{0};
  const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : ".";
  for (;;) {
    // Hidden, and unique per process and call.
    std::string name = ".";
    name += path.filename().string();
    name += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
    temporary_path = (directory / name).string();
    removed_on_signal.emplace(temporary_path);  // before it exists: no moment unregistered
    const int fd = ::open(temporary_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    // A file left by a crashed process with the same pid: try the next name.
    if (errno == EEXIST) continue;
    fail(op, path.string(),
         "expected to create a temporary file in " + quote_bytes(directory.string(), 200) +
             ", got: " + errno_message(errno));
  }
}

// FIFOs, devices and sockets are written into: a rename would replace the node by a file.
void write_into_special_file(std::string_view op, const std::string& path,
                             std::span<const std::span<const std::byte>> pieces) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(op, path, "expected to open the file for writing, got: " + errno_message(errno));
  try {
    for (const auto piece : pieces) write_all(op, path, fd, piece);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) fail(op, path, "expected to close the file, got: " + errno_message(errno));
}

// The new file gets the replaced file's permissions, and its owner where the process may.
void copy_owner_and_mode(std::string_view op, const std::string& path, int fd,
                         const struct stat& replaced) {
  if (::fchown(fd, replaced.st_uid, replaced.st_gid) != 0 && errno != EPERM)
    fail(op, path, "expected to keep the file's owner, got: " + errno_message(errno));
  if (::fchmod(fd, replaced.st_mode & 07777) != 0)
    fail(op, path, "expected to keep the file's permissions, got: " + errno_message(errno));
}

// Makes a rename in directory durable.
void sync_directory(std::string_view op, const std::string& path,
                    const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // a directory we may not read: the rename itself succeeded
  const bool synced = ::fsync(fd) == 0 || errno == EINVAL;  // some file systems cannot
  const int error = errno;
  ::close(fd);
  if (!synced) fail(op, path, "expected to flush the directory, got: " + errno_message(error));
}

}  // namespace

RemovedOnSignal::RemovedOnSignal(const std::string& path, bool directory) {
  install_signal_handlers();
  if (path.size() >= sizeof(TemporarySlot::path)) return;  // the stale sweep gets it later
  for (TemporarySlot& slot : temporary_slots) {
    int free = 0;
    if (!slot.state.compare_exchange_strong(free, 1, std::memory_order_acquire)) continue;
    slot.directory = directory;
    std::memcpy(slot.path, path.c_str(), path.size() + 1);
    slot.state.store(2, std::memory_order_release);
    slot_ = &slot;
    return;
  }
}

RemovedOnSignal::~RemovedOnSignal() {
  if (slot_ != nullptr) slot_->state.store(0, std::memory_order_release);
}

void remove_stale_temporaries(const std::filesystem::path& target) {
  const std::filesystem::path directory =
      target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  const std::string prefix = "." + target.filename().string() + ".tmp-";
  std::error_code error;
  for (std::filesystem::directory_iterator entry(directory, error), end; !error && entry != end;
       entry.increment(error)) {
    if (is_stale_temporary(entry->path().filename().string(), prefix)) {
      std::error_code ignored;  // another writer may be removing it too
      std::filesystem::remove_all(entry->path(), ignored);
    }
  }
}

void write_file_atomically(std::string_view op, const std::string& path,
                           std::span<const std::span<const std::byte>> pieces) {
  const std::filesystem::path target(path);
  if (!target.has_filename()) fail(op, path, "expected a path to a file, got a directory path");
  struct stat existing {};
  const bool exists = ::lstat(path.c_str(), &existing) == 0;
  if (exists && (S_ISFIFO(existing.st_mode) || S_ISCHR(existing.st_mode) ||
                 S_ISBLK(existing.st_mode) || S_ISSOCK(existing.st_mode))) {
    write_into_special_file(op, path, pieces);
    return;
  }
  remove_stale_temporaries(target);
  std::string temporary_path;
  std::optional<RemovedOnSignal> removed_on_signal;
  const int fd = create_temporary(op, target, temporary_path, removed_on_signal);
  try {
    if (exists && S_ISREG(existing.st_mode)) copy_owner_and_mode(op, path, fd, existing);
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
  sync_directory(op, path, target.has_parent_path() ? target.parent_path() : ".");
}

}  // namespace activ::io_detail
