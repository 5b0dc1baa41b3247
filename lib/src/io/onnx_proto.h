// ONNX's protobuf messages, the subset a model export needs, serialized as protobuf's own
// serializer does (internal).
//
// Why not Debian's libonnx_proto: it needs Debian's libprotobuf 3.21, while libtorch_cpu.so
// exports the symbols of the protobuf 3.13 it embeds; both in one process is undefined behaviour.
// The bytes here are checked against onnx's own serialization by the parity suite
// (tests/keras/test_onnx.py: onnx.load(file).SerializeToString() must equal the file).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace tkeras::io::onnx {

/// TensorProto.DataType.
enum class DataType : int32_t { kFloat = 1, kUint8 = 2, kInt8 = 3, kInt32 = 6, kInt64 = 7, kBool = 9, kDouble = 11 };

/// An AttributeProto of one of the kinds an export uses.
struct Attribute {
  enum class Kind : int32_t { kFloat = 1, kInt = 2, kString = 3, kFloats = 6, kInts = 7, kStrings = 8 };
  std::string name;
  Kind kind = Kind::kInt;
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;

  static Attribute of(std::string name, int64_t value);
  static Attribute of(std::string name, float value);
  static Attribute of(std::string name, std::string value);
  static Attribute of(std::string name, std::vector<int64_t> values);
  static Attribute of(std::string name, std::vector<float> values);
  static Attribute of(std::string name, std::vector<std::string> values);
};

/// A NodeProto: one operator.
struct Node {
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::string name;
  std::string op_type;
  std::vector<Attribute> attributes;
};

/// A TensorProto with its values as raw little-endian bytes.
struct Tensor {
  std::vector<int64_t> dims;
  DataType data_type = DataType::kFloat;
  std::string name;
  std::string raw_data;
};

/// A ValueInfoProto of a tensor: a dimension is a size or a symbolic name.
struct ValueInfo {
  std::string name;
  DataType elem_type = DataType::kFloat;
  std::vector<std::variant<int64_t, std::string>> shape;
};

/// A GraphProto.
struct Graph {
  std::vector<Node> nodes;
  std::string name;
  std::vector<Tensor> initializers;
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
};

/// A ModelProto.
struct Model {
  int64_t ir_version = 8;
  std::string producer_name;
  std::string producer_version;
  Graph graph;
  std::vector<std::pair<std::string, int64_t>> opset_imports;  ///< (domain, version)
};

/// The protobuf encoding of `model`: fields in field-number order, repeated scalars unpacked
/// unless onnx.proto packs them, as protobuf's serializers write them.
std::string serialize(const Model& model);

}  // namespace tkeras::io::onnx
