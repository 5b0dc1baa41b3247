// The tkeras side of tests/data/test_images.py, which checks tkeras's image reading against
// Pillow (decoded pixels) and Keras (the files of each subset), and its text folders against Keras.
//
// Usage:
//   tkeras-image-probe decode CHANNELS OUT_DIR FILE...
//       decodes each FILE and writes OUT_DIR/<file name>.raw: "H W C\n", then the uint8 pixels
//   tkeras-image-probe index DIR SEED VALIDATION_SPLIT SUBSET
//       prints the files of image_dataset_from_directory's SUBSET ("training", "validation", or
//       "all" with split 0), one per line
//   tkeras-image-probe text DIR SEED VALIDATION_SPLIT SUBSET MAX_LENGTH
//       the same for text_dataset_from_directory (MAX_LENGTH -1: none), then a line "---", then
//       each element of the unbatched dataset as "LABEL HEX_OF_TEXT"
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <torch/torch.h>

#include <tkeras/tkeras.h>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  try {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "decode" && argc >= 4) {
      const int channels = std::stoi(argv[2]);
      const fs::path out_dir = argv[3];
      for (int i = 4; i < argc; ++i) {
        const torch::Tensor image = tkeras::data::decode_image(fs::path(argv[i]), channels).contiguous();
        std::ofstream out(out_dir / (fs::path(argv[i]).filename().string() + ".raw"), std::ios::binary);
        out << fmt::format("{} {} {}\n", image.size(0), image.size(1), image.size(2));
        out.write(reinterpret_cast<const char*>(image.data_ptr<uint8_t>()), image.numel());
      }
      return 0;
    }
    if (command == "index" && argc == 6) {
      const std::string subset = argv[5];
      const auto dataset = tkeras::data::image_dataset_from_directory(argv[2], {.seed = std::stoull(argv[3]),
                                                                                .validation_split = std::stod(argv[4]),
                                                                                .subset = subset == "all" ? "" : subset,
                                                                                .verbose = false});
      for (const std::string& path : dataset.file_paths()) std::cout << path << "\n";
      return 0;
    }
    if (command == "text" && argc == 7) {
      const std::string subset = argv[5];
      const int64_t max_length = std::stoll(argv[6]);
      const auto dataset = tkeras::data::text_dataset_from_directory(
          argv[2], {.batch_size = 0,
                    .max_length = max_length < 0 ? std::nullopt : std::optional<int64_t>(max_length),
                    .seed = std::stoull(argv[3]),
                    .validation_split = std::stod(argv[4]),
                    .subset = subset == "all" ? "" : subset,
                    .verbose = false});
      for (const std::string& path : dataset.file_paths()) std::cout << path << "\n";
      std::cout << "---\n";
      for (const tkeras::data::Element& element : dataset) {
        std::cout << element.y.item<int64_t>() << " ";
        for (const unsigned char c : element.text.at(0)) std::cout << fmt::format("{:02x}", c);
        std::cout << "\n";
      }
      return 0;
    }
    std::cerr << "usage: tkeras-image-probe decode CHANNELS OUT_DIR FILE... | index DIR SEED SPLIT SUBSET | text DIR "
                 "SEED SPLIT SUBSET MAX_LENGTH\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
}
