#include "tests/testing/file_contents.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace bulletin::testing {

std::vector<std::string> FilesHolding(const std::string& dir,
                                      absl::string_view text) {
  std::vector<std::string> holding;
  std::error_code error;
  // A server writing its store may remove a file between the listing and
  // the read: such a file holds nothing any more.
  for (auto it = std::filesystem::recursive_directory_iterator(
           dir, std::filesystem::directory_options::skip_permission_denied,
           error);
       !error && it != std::filesystem::recursive_directory_iterator();
       it.increment(error)) {
    if (!it->is_regular_file(error)) continue;
    std::ifstream file(it->path(), std::ios::binary);
    if (!file) continue;
    const std::string bytes((std::istreambuf_iterator<char>(file)),
                            std::istreambuf_iterator<char>());
    if (absl::string_view(bytes).find(text) != absl::string_view::npos) {
      holding.push_back(it->path().string());
    }
  }
  return holding;
}

}  // namespace bulletin::testing
