// MNIST digits from the directory the set-up writes them to.
#include "tkeras/data/mnist.h"

#include <cstdlib>

namespace tkeras::datasets::mnist {

std::filesystem::path default_dir() {
  std::filesystem::path home;
  if (const char* tkeras_home = std::getenv("TKERAS_HOME"); tkeras_home != nullptr && *tkeras_home != '\0') {
    home = tkeras_home;
  } else if (const char* user_home = std::getenv("HOME"); user_home != nullptr && *user_home != '\0') {
    home = std::filesystem::path(user_home) / ".tkeras";
  } else {
    home = std::filesystem::temp_directory_path() / ".tkeras";
  }
  return home / "datasets" / "mnist";
}

TrainTestSplit load_data(const std::filesystem::path& dir) { return load_idx_dataset(dir, "mnist"); }

}  // namespace tkeras::datasets::mnist
