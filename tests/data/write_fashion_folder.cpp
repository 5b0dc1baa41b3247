// Writes a folder of real image files for tkeras-images's test: Fashion-MNIST images of the first
// CLASSES classes, PER_CLASS each, as RGB at twice their size (56x56), in one subfolder per class,
// alternately PNG and JPEG, as a photo collection would be.
//
// Usage: tkeras-write-fashion-folder OUT_DIR CLASSES PER_CLASS   (OUT_DIR is replaced)
#include <filesystem>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <torch/torch.h>

#include <tkeras/tkeras.h>

#include "data/image_files.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: tkeras-write-fashion-folder OUT_DIR CLASSES PER_CLASS\n";
    return 2;
  }
  try {
    const std::filesystem::path out = argv[1];
    const int64_t classes = std::stoll(argv[2]);
    const int64_t per_class = std::stoll(argv[3]);
    static const char* const kNames[] = {"t_shirt", "trouser", "pullover", "dress", "coat",
                                         "sandal",  "shirt",   "sneaker",  "bag",   "ankle_boot"};
    const auto data = tkeras::datasets::fashion_mnist::load_data();
    std::filesystem::remove_all(out);
    for (int64_t label = 0; label < classes && label < 10; ++label) {
      const std::filesystem::path folder = out / kNames[label];
      std::filesystem::create_directories(folder);
      const torch::Tensor rows = data.y_train.eq(label).nonzero().squeeze(1).narrow(0, 0, per_class);
      for (int64_t i = 0; i < per_class; ++i) {
        const torch::Tensor gray = data.x_train[rows[i].item<int64_t>()];
        // 2x larger, in colour: the gray level tinted by class, so colour carries a little signal too.
        const torch::Tensor big = gray.repeat_interleave(2, 0).repeat_interleave(2, 1).to(torch::kFloat32);
        const torch::Tensor tint = torch::tensor({1.0F, 0.9F - 0.1F * static_cast<float>(label % 3), 0.8F});
        const torch::Tensor rgb = (big.unsqueeze(2) * tint).clamp(0, 255).to(torch::kUInt8).contiguous();
        if (i % 2 == 0) {
          tkeras::testing::write_png(folder / fmt::format("{:04}.png", i), rgb);
        } else {
          tkeras::testing::write_jpeg(folder / fmt::format("{:04}.jpg", i), rgb, 90);
        }
      }
    }
    std::cout << fmt::format("wrote {} x {} images to {}\n", classes, per_class, out.string());
  } catch (const std::exception& error) {
    std::cerr << "tkeras-write-fashion-folder: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
