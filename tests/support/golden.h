// The reference files of tests/golden/, parsed once each. A missing or malformed file throws
// (failing every test that reads it) rather than leaving a test with no cases to check.
#pragma once

#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace activ::testing {

inline const nlohmann::json& golden_json(const std::string& file_name) {
  static std::mutex mutex;
  static std::map<std::string, nlohmann::json> parsed;
  const std::lock_guard<std::mutex> lock(mutex);
  const auto found = parsed.find(file_name);
  if (found != parsed.end()) return found->second;
  const std::string path = std::string(ACTIV_TEST_DATA_DIR) + "/" + file_name;
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open the golden file " + path);
  return parsed.emplace(file_name, nlohmann::json::parse(file)).first->second;
}

}  // namespace activ::testing
