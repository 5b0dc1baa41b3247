// Tests for export_onnx: what cannot be exported is an error naming the layer, and nothing is
// written then. (tests/keras/test_onnx.py checks the files with onnx's checker and onnxruntime.)
#include <filesystem>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "support.h"
#include "tkeras/core/error.h"
#include "tkeras/export/export_onnx.h"
#include "tkeras/layers/dense.h"
#include "tkeras/layers/embedding.h"
#include "tkeras/layers/flatten.h"
#include "tkeras/layers/input.h"
#include "tkeras/layers/lambda.h"
#include "tkeras/layers/lstm.h"
#include "tkeras/layers/text_vectorization.h"
#include "tkeras/models/sequential.h"

namespace layers = tkeras::layers;

TEST_CASE("the course's model exports to a protobuf file holding its operators and weights") {
  const tkeras::testing::TempDir dir;
  tkeras::Sequential model(
      {layers::Input({28, 28}), layers::Flatten(), layers::Dense(128, "relu"), layers::Dense(10, "softmax")});
  model.build({28, 28});
  const auto path = (dir.path() / "digits.onnx").string();
  tkeras::export_onnx(model, path);
  const std::string bytes = tkeras::testing::read_bytes(path);
  // ir_version 8 (field 1), then the producer's name (field 2).
  CHECK(bytes.starts_with(std::string("\x08\x08\x12\x06tkeras", 10)));
  for (const char* op : {"Flatten", "MatMul", "Add", "Relu", "Softmax"}) CHECK(bytes.find(op) != std::string::npos);
  // The weights are stored whole: 784 * 128 + 128 * 10 float32 values at least.
  CHECK(bytes.size() > (784 * 128 + 128 * 10) * 4);
}

TEST_CASE("a layer that cannot be exported is an error naming it, and no file is written") {
  const tkeras::testing::TempDir dir;
  const auto path = (dir.path() / "model.onnx").string();
  SUBCASE("a Lambda") {
    tkeras::Sequential model({layers::Input({4}),
                              layers::Lambda([](const torch::Tensor& x) { return x * 2.0; }, {.name = "double"}),
                              layers::Dense(1)});
    model.build({4});
    CHECK_THROWS_WITH_AS(tkeras::export_onnx(model, path),
                         "export_onnx: Lambda \"double\" cannot be exported to ONNX: it runs C++ code, which an ONNX "
                         "file cannot hold",
                         tkeras::Error);
  }
  SUBCASE("a TextVectorization") {
    auto vectorize = std::make_shared<layers::TextVectorization>(
        layers::TextVectorizationOptions{.max_tokens = 10, .output_sequence_length = 4});
    vectorize->adapt(std::vector<std::string>{"a b c", "b c d"});
    tkeras::Sequential model({vectorize, layers::Embedding(10, 2), layers::Flatten(), layers::Dense(1)});
    model.build({4});
    CHECK_THROWS_WITH_AS(tkeras::export_onnx(model, path),
                         doctest::Contains("cannot be exported to ONNX: it processes strings"), tkeras::Error);
  }
  SUBCASE("a recurrent layer fed a mask") {
    tkeras::Sequential model(
        {layers::Input({5}), layers::Embedding(10, 3, {.mask_zero = true}), layers::LSTM(2), layers::Dense(1)});
    model.build({5});
    CHECK_THROWS_WITH_AS(tkeras::export_onnx(model, path),
                         doctest::Contains("cannot be exported to ONNX: it is fed a mask (Embedding with mask_zero)"),
                         tkeras::Error);
  }
  SUBCASE("a model not built, and an opset out of range") {
    tkeras::Sequential model({layers::Dense(1)});  // no Input: built at the first fit or build
    CHECK_THROWS_WITH_AS(tkeras::export_onnx(model, path), doctest::Contains("is not built (call build or fit first)"),
                         tkeras::Error);
    model.build({4});
    CHECK_THROWS_WITH_AS(tkeras::export_onnx(model, path, {.opset = 12}),
                         "export_onnx: expected opset between 14 and 17, received 12", tkeras::Error);
  }
  CHECK_FALSE(std::filesystem::exists(path));
}
