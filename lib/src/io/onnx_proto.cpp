// ONNX's messages in protobuf's wire format (proto2, onnx.proto's field numbers).
#include "io/onnx_proto.h"

#include <cstring>
#include <utility>

namespace tkeras::io::onnx {
namespace {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

class Writer {
 public:
  void varint(uint64_t value) {
    while (value >= 0x80) {
      bytes_.push_back(static_cast<char>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    bytes_.push_back(static_cast<char>(value));
  }
  void key(uint32_t field, WireType type) { varint((uint64_t{field} << 3) | type); }
  // int32 and int64 fields: a negative value takes ten bytes, as protobuf writes it.
  void integer(uint32_t field, int64_t value) {
    key(field, kVarint);
    varint(static_cast<uint64_t>(value));
  }
  void fixed_float(uint32_t field, float value) {
    key(field, kFixed32);
    char raw[4];
    std::memcpy(raw, &value, 4);  // little-endian hosts only (x86-64, aarch64)
    bytes_.append(raw, 4);
  }
  void bytes(uint32_t field, const std::string& value) {
    key(field, kLengthDelimited);
    varint(value.size());
    bytes_ += value;
  }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

std::string encode(const Attribute& a) {
  Writer w;
  w.bytes(1, a.name);
  switch (a.kind) {
    case Attribute::Kind::kFloat:
      w.fixed_float(2, a.f);
      break;
    case Attribute::Kind::kInt:
      w.integer(3, a.i);
      break;
    case Attribute::Kind::kString:
      w.bytes(4, a.s);
      break;
    case Attribute::Kind::kFloats:
      for (float value : a.floats) w.fixed_float(7, value);
      break;
    case Attribute::Kind::kInts:
      for (int64_t value : a.ints) w.integer(8, value);
      break;
    case Attribute::Kind::kStrings:
      for (const std::string& value : a.strings) w.bytes(9, value);
      break;
  }
  w.integer(20, static_cast<int64_t>(a.kind));
  return w.take();
}

std::string encode(const Node& node) {
  Writer w;
  for (const std::string& input : node.inputs) w.bytes(1, input);
  for (const std::string& output : node.outputs) w.bytes(2, output);
  w.bytes(3, node.name);
  w.bytes(4, node.op_type);
  for (const Attribute& attribute : node.attributes) w.bytes(5, encode(attribute));
  return w.take();
}

std::string encode(const Tensor& tensor) {
  Writer w;
  for (int64_t dim : tensor.dims) w.integer(1, dim);
  w.integer(2, static_cast<int64_t>(tensor.data_type));
  w.bytes(8, tensor.name);
  w.bytes(9, tensor.raw_data);
  return w.take();
}

std::string encode(const ValueInfo& value) {
  Writer shape;
  for (const auto& dim : value.shape) {
    Writer dimension;
    if (const auto* size = std::get_if<int64_t>(&dim)) {
      dimension.integer(1, *size);
    } else {
      dimension.bytes(2, std::get<std::string>(dim));
    }
    shape.bytes(1, dimension.take());
  }
  Writer tensor_type;
  tensor_type.integer(1, static_cast<int64_t>(value.elem_type));
  tensor_type.bytes(2, shape.take());
  Writer type;
  type.bytes(1, tensor_type.take());
  Writer w;
  w.bytes(1, value.name);
  w.bytes(2, type.take());
  return w.take();
}

std::string encode(const Graph& graph) {
  Writer w;
  for (const Node& node : graph.nodes) w.bytes(1, encode(node));
  w.bytes(2, graph.name);
  for (const Tensor& tensor : graph.initializers) w.bytes(5, encode(tensor));
  for (const ValueInfo& input : graph.inputs) w.bytes(11, encode(input));
  for (const ValueInfo& output : graph.outputs) w.bytes(12, encode(output));
  return w.take();
}

}  // namespace

namespace {

Attribute named(std::string name, Attribute::Kind kind) {
  Attribute attribute;
  attribute.name = std::move(name);
  attribute.kind = kind;
  return attribute;
}

}  // namespace

Attribute Attribute::of(std::string name, int64_t value) {
  Attribute a = named(std::move(name), Kind::kInt);
  a.i = value;
  return a;
}
Attribute Attribute::of(std::string name, float value) {
  Attribute a = named(std::move(name), Kind::kFloat);
  a.f = value;
  return a;
}
Attribute Attribute::of(std::string name, std::string value) {
  Attribute a = named(std::move(name), Kind::kString);
  a.s = std::move(value);
  return a;
}
Attribute Attribute::of(std::string name, std::vector<int64_t> values) {
  Attribute a = named(std::move(name), Kind::kInts);
  a.ints = std::move(values);
  return a;
}
Attribute Attribute::of(std::string name, std::vector<float> values) {
  Attribute a = named(std::move(name), Kind::kFloats);
  a.floats = std::move(values);
  return a;
}
Attribute Attribute::of(std::string name, std::vector<std::string> values) {
  Attribute a = named(std::move(name), Kind::kStrings);
  a.strings = std::move(values);
  return a;
}

std::string serialize(const Model& model) {
  Writer w;
  w.integer(1, model.ir_version);
  w.bytes(2, model.producer_name);
  w.bytes(3, model.producer_version);
  w.bytes(7, encode(model.graph));
  for (const auto& [domain, version] : model.opset_imports) {
    Writer opset;
    opset.bytes(1, domain);
    opset.integer(2, version);
    w.bytes(8, opset.take());
  }
  return w.take();
}

}  // namespace tkeras::io::onnx
