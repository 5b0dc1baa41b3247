// The tkeras side of tests/keras/test_applications_preprocess.py: each keras.applications
// family's preprocess_input on the images the Python side wrote.
//
// Usage: tkeras-preprocess-driver DIR
//   DIR/x.pt              one tensor written by torch.save: images [N, H, W, 3] or [H, W, 3]
// It writes DIR/<family>.pt (resnet50.pt, mobilenet_v2.pt, ...: that module's preprocess_input
// on x) and DIR/imagenet_utils_<mode>.pt for the modes caffe, tf and torch. A refused x (a last
// axis that is not 3 channels) exits 1 with tkeras's message on stderr.
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include <tkeras/tkeras.h>

namespace tk = tkeras;
namespace apps = tkeras::applications;

namespace {

torch::Tensor read_pt(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw tk::Error(fmt::format("preprocess driver: cannot read \"{}\"", path));
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return torch::pickle_load(bytes).toTensor();
}

void write_pt(const std::string& path, const torch::Tensor& tensor) {
  const std::vector<char> bytes = torch::pickle_save(tensor.contiguous());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw tk::Error(fmt::format("preprocess driver: cannot write \"{}\"", path));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: tkeras-preprocess-driver DIR\n";
    return 2;
  }
  try {
    const std::string dir = argv[1];
    const torch::Tensor x = read_pt(dir + "/x.pt");
    const std::vector<std::pair<const char*, torch::Tensor (*)(const torch::Tensor&)>> families = {
        {"convnext", apps::convnext::preprocess_input},
        {"densenet", apps::densenet::preprocess_input},
        {"efficientnet", apps::efficientnet::preprocess_input},
        {"efficientnet_v2", apps::efficientnet_v2::preprocess_input},
        {"inception_resnet_v2", apps::inception_resnet_v2::preprocess_input},
        {"inception_v3", apps::inception_v3::preprocess_input},
        {"mobilenet", apps::mobilenet::preprocess_input},
        {"mobilenet_v2", apps::mobilenet_v2::preprocess_input},
        {"mobilenet_v3", apps::mobilenet_v3::preprocess_input},
        {"nasnet", apps::nasnet::preprocess_input},
        {"resnet", apps::resnet::preprocess_input},
        {"resnet50", apps::resnet50::preprocess_input},
        {"resnet_v2", apps::resnet_v2::preprocess_input},
        {"vgg16", apps::vgg16::preprocess_input},
        {"vgg19", apps::vgg19::preprocess_input},
        {"xception", apps::xception::preprocess_input},
    };
    for (const auto& [family, preprocess_input] : families) {
      write_pt(fmt::format("{}/{}.pt", dir, family), preprocess_input(x));
    }
    for (const char* mode : {"caffe", "tf", "torch"}) {
      write_pt(fmt::format("{}/imagenet_utils_{}.pt", dir, mode), apps::imagenet_utils::preprocess_input(x, mode));
    }
  } catch (const tk::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
