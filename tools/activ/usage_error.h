// The error a subcommand raises for a mistake in its command line; in a header of its own so that
// the helpers shared with the tests need no CLI11.
#pragma once

#include <stdexcept>

namespace activ::cli {

// A mistake in the command line found by a subcommand itself: main prints the one-line message
// and exits with 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace activ::cli
