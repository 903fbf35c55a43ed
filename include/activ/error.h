// Every error activ raises derives from activ::Error, so callers can catch one type.
// Messages name the operation, the argument, what was expected and what came.
#pragma once

#include <stdexcept>
#include <string>

namespace activ {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A shape that is invalid or does not fit another (torch raises RuntimeError).
class ShapeError : public Error {
 public:
  using Error::Error;
};

// A dim or an index outside its range (torch raises IndexError).
class IndexError : public Error {
 public:
  using Error::Error;
};

// A dtype the operation does not accept (torch raises TypeError or RuntimeError).
class TypeError : public Error {
 public:
  using Error::Error;
};

// An option or argument value outside its domain (torch raises ValueError).
class ValueError : public Error {
 public:
  using Error::Error;
};

// A file that cannot be read, written or parsed.
class IoError : public Error {
 public:
  using Error::Error;
};

// An allocation larger than the memory that can be had.
class OutOfMemoryError : public Error {
 public:
  using Error::Error;
};

}  // namespace activ
