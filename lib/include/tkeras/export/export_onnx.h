// export_onnx: a model as an ONNX file, which onnxruntime, TensorRT or OpenVINO run.
#pragma once

#include <cstdint>
#include <string>

#include "tkeras/models/model.h"

namespace tkeras {

/// The keyword arguments of `export_onnx`.
struct ExportOnnxOptions {
  /// The ONNX operator set the file uses, 14 to 17 (each layer maps to operators all of these
  /// have). Default: 17.
  int64_t opset = 17;
};

/// Writes `model` (built) to `path` as an ONNX model for inference, as Keras's
/// `model.export(path, format="onnx")`: one input, `inputs`, of the shape the model takes
/// (channels-last images as they are) with a symbolic batch dimension `batch`; one output,
/// `outputs`; every layer mapped to standard ONNX operators (no custom ops), its weights stored
/// in the file. Dropout and the random augmentation layers are what they are at inference: the
/// identity. Written atomically.
///
/// Throws `tkeras::Error` naming the layer for one that cannot be exported: a `TorchModule` or a
/// `Lambda` (C++ code), a `TextVectorization` (string processing: export the model of the layers
/// after it, and vectorize in the application), a recurrent layer fed a mask (ONNX's recurrent
/// operators know only sequences padded at the end), or an option without an ONNX counterpart.
///
/// Example:
/// ```
/// tkeras::export_onnx(model, "digits.onnx");
/// ```
/// ```python
/// import onnxruntime
/// session = onnxruntime.InferenceSession("digits.onnx")
/// probabilities = session.run(None, {"inputs": x_test[:8]})[0]
/// ```
void export_onnx(const Model& model, const std::string& path, const ExportOnnxOptions& options = {});

}  // namespace tkeras
