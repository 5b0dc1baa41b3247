// TextVectorization: Keras's standardize, split and vocabulary lookup, on the CPU before the model.
#include "tkeras/layers/text_vectorization.h"

#include <algorithm>
#include <array>
#include <map>
#include <sstream>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "layers/keras_format.h"
#include "layers/onnx_export.h"
#include "layers/registry.h"
#include "tkeras/core/error.h"

namespace tkeras::layers {
namespace {

constexpr std::string_view kMaskToken;
constexpr std::string_view kOovToken = "[UNK]";

// ASCII's punctuation marks, Keras's DEFAULT_STRIP_REGEX: [!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\'].
constexpr std::array<bool, 256> punctuation_table() {
  std::array<bool, 256> table{};
  for (const char mark : std::string_view("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")) {
    table[static_cast<unsigned char>(mark)] = true;
  }
  return table;
}
constexpr std::array<bool, 256> kPunctuation = punctuation_table();

// TensorFlow's whitespace split separates on absl::ascii_isspace.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// The length of the UTF-8 character at the start of `text`, or 0 when its bytes are not one.
size_t utf8_length(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  size_t length = 0;
  uint32_t point = 0;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    point = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    point = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    point = lead & 0x07u;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0u) != 0x80u) return 0;
    point = (point << 6u) | (byte & 0x3Fu);
  }
  // Overlong forms, surrogates and points past U+10FFFF are not characters.
  const bool overlong = (length == 3 && point < 0x800) || (length == 4 && point < 0x10000);
  if (overlong || (point >= 0xD800 && point <= 0xDFFF) || point > 0x10FFFF) return 0;
  return length;
}

const std::vector<std::string> kStandardizes = {"lower_and_strip_punctuation", "lower", "strip_punctuation"};
const std::vector<std::string> kSplits = {"whitespace", "character"};
const std::vector<std::string> kOutputModes = {"int", "multi_hot", "count"};

void check_choice(const std::optional<std::string>& value, const std::vector<std::string>& choices,
                  std::string_view option, bool nullable) {
  if (!value) return;
  if (std::find(choices.begin(), choices.end(), *value) != choices.end()) return;
  throw Error(fmt::format("TextVectorization: expected {} as \"{}\"{}, received \"{}\"", option,
                          fmt::join(choices, "\", \""), nullable ? " or none (std::nullopt)" : "", *value));
}

// A string option that Keras writes as null for None: absent gives `fallback`, null gives none.
std::optional<std::string> nullable_string(const Config& config, const char* key, std::optional<std::string> fallback) {
  const auto found = config.find(key);
  if (found == config.end()) return fallback;
  if (found->is_null()) return std::nullopt;
  if (!found->is_string()) {
    throw Error(
        fmt::format("TextVectorization: expected \"{}\" as a string or null, received {}; a custom {} "
                    "function is not supported by tkeras",
                    key, found->dump(), key));
  }
  return found->get<std::string>();
}

}  // namespace

TextVectorization::TextVectorization(TextVectorizationOptions options)
    : Layer("text_vectorization"), options_(std::move(options)) {
  check_choice(options_.standardize, kStandardizes, "standardize", true);
  check_choice(options_.split, kSplits, "split", true);
  if (options_.output_mode == "tf_idf") {
    throw Error(
        "TextVectorization: output_mode \"tf_idf\" is not supported by tkeras; expected \"int\", "
        "\"multi_hot\" or \"count\"");
  }
  check_choice(options_.output_mode, kOutputModes, "output_mode", false);
  if (options_.max_tokens && *options_.max_tokens <= token_start()) {
    throw Error(
        fmt::format("TextVectorization: expected max_tokens above {} (the special tokens' count in \"{}\" "
                    "mode), received {}",
                    token_start(), options_.output_mode, *options_.max_tokens));
  }
  if (options_.output_sequence_length) {
    if (options_.output_mode != "int") {
      throw Error(
          fmt::format("TextVectorization: output_sequence_length applies to output_mode \"int\" only, "
                      "received it with output_mode \"{}\"",
                      options_.output_mode));
    }
    if (*options_.output_sequence_length <= 0) {
      throw Error(fmt::format("TextVectorization: expected a positive output_sequence_length, received {}",
                              *options_.output_sequence_length));
    }
  }
  if (!options_.vocabulary.empty()) {
    set_vocabulary(options_.vocabulary);
    options_.vocabulary.clear();
  }
}

const registry::Registrar<TextVectorization> text_vectorization_registration("TextVectorization");

std::shared_ptr<TextVectorization> TextVectorization::from_config(const Config& config) {
  const ConfigReader read(config);
  const auto refuse = [&](const char* key, bool supported, std::string_view expected) {
    if (!supported) {
      throw Error(fmt::format("TextVectorization: {} = {} is not supported by tkeras; expected {}", key,
                              config.at(key).dump(), expected));
    }
  };
  const auto absent_or = [&](const char* key, const Config& value) {
    return !config.contains(key) || config.at(key).is_null() || config.at(key) == value;
  };
  refuse("ngrams", absent_or("ngrams", nullptr), "null");
  refuse("ragged", absent_or("ragged", false), "false");
  refuse("sparse", absent_or("sparse", false), "false");
  refuse("pad_to_max_tokens", absent_or("pad_to_max_tokens", false), "false");
  refuse("idf_weights", absent_or("idf_weights", nullptr), "null");
  const std::string encoding = read.string("encoding", "utf-8");
  if (encoding != "utf-8" && encoding != "UTF-8") refuse("encoding", false, "\"utf-8\"");

  TextVectorizationOptions options;
  if (read.has("max_tokens")) options.max_tokens = read.positive_int("max_tokens");
  options.standardize = nullable_string(config, "standardize", options.standardize);
  options.split = nullable_string(config, "split", options.split);
  options.output_mode = read.string("output_mode", "int");
  if (read.has("output_sequence_length")) options.output_sequence_length = read.positive_int("output_sequence_length");
  if (read.has("vocabulary")) {
    const Config& vocabulary = read.at("vocabulary");
    if (!vocabulary.is_array() ||
        !std::all_of(vocabulary.begin(), vocabulary.end(), [](const Config& token) { return token.is_string(); })) {
      throw Error(fmt::format("TextVectorization: expected \"vocabulary\" as a list of strings, received {}",
                              vocabulary.dump().substr(0, 200)));
    }
    options.vocabulary = vocabulary.get<std::vector<std::string>>();
  }
  auto layer = configured(std::make_shared<TextVectorization>(std::move(options)), config);
  // A vocabulary that adapt() learnt is saved in the config too; it does not forbid adapting again.
  layer->has_input_vocabulary_ = read.boolean("has_input_vocabulary", layer->has_input_vocabulary_);
  return layer;
}

Config TextVectorization::get_config() const {
  Config config = Layer::get_config();
  config["max_tokens"] = options_.max_tokens ? Config(*options_.max_tokens) : Config(nullptr);
  config["standardize"] = options_.standardize ? Config(*options_.standardize) : Config(nullptr);
  config["split"] = options_.split ? Config(*options_.split) : Config(nullptr);
  config["ngrams"] = nullptr;
  config["output_mode"] = options_.output_mode;
  config["output_sequence_length"] =
      options_.output_sequence_length ? Config(*options_.output_sequence_length) : Config(nullptr);
  config["pad_to_max_tokens"] = false;
  config["sparse"] = false;
  config["ragged"] = false;
  // Keras keeps an adapted vocabulary in the model file's assets; tkeras's files have none, so it
  // is in the config, with the flag that says whether it was given rather than learnt.
  config["vocabulary"] = vocabulary_.empty() ? Config(nullptr) : Config(vocabulary_);
  config["has_input_vocabulary"] = has_input_vocabulary_;
  config["idf_weights"] = nullptr;
  config["encoding"] = "utf-8";
  config["vocabulary_size"] = vocabulary_size();
  return config;
}

std::vector<std::string> TextVectorization::tokens(std::string_view text) const {
  std::string standardized(text);
  if (options_.standardize && *options_.standardize != "strip_punctuation") {
    std::transform(standardized.begin(), standardized.end(), standardized.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  }
  if (options_.standardize && *options_.standardize != "lower") {
    std::erase_if(standardized, [](char c) { return kPunctuation[static_cast<unsigned char>(c)]; });
  }
  std::vector<std::string> tokens;
  if (!options_.split) {
    tokens.push_back(std::move(standardized));
  } else if (*options_.split == "whitespace") {
    const std::string_view rest(standardized);
    size_t start = 0;
    while (start < rest.size()) {
      while (start < rest.size() && is_space(rest[start])) ++start;
      size_t end = start;
      while (end < rest.size() && !is_space(rest[end])) ++end;
      if (end > start) tokens.emplace_back(rest.substr(start, end - start));
      start = end;
    }
  } else {  // "character": TensorFlow's unicode_split, invalid bytes replaced by U+FFFD
    std::string_view rest(standardized);
    while (!rest.empty()) {
      const size_t length = utf8_length(rest);
      tokens.emplace_back(length == 0 ? std::string_view("\xEF\xBF\xBD") : rest.substr(0, length));
      rest.remove_prefix(std::max<size_t>(length, 1));
    }
  }
  return tokens;
}

void TextVectorization::adapt(const std::vector<std::string>& texts) {
  if (has_input_vocabulary_) {
    throw Error(
        fmt::format("TextVectorization \"{}\": cannot adapt a layer that was given its vocabulary "
                    "(the vocabulary option or set_vocabulary), as in Keras; make a new layer to adapt",
                    name()));
  }
  std::unordered_map<std::string, int64_t, TokenHash, std::equal_to<>> counts;
  for (const std::string& text : texts) {
    for (std::string& token : tokens(text)) ++counts[std::move(token)];
  }
  // The special tokens are not learnt.
  counts.erase(std::string(kMaskToken));
  counts.erase(std::string(kOovToken));
  std::vector<std::pair<int64_t, std::string>> ranked;
  ranked.reserve(counts.size());
  for (auto& [token, count] : counts) ranked.emplace_back(count, token);
  // Keras: np.lexsort((tokens, counts))[::-1], so counts descending, then tokens (bytes) descending.
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return std::string_view(a.second) > std::string_view(b.second);
  });
  if (options_.max_tokens && static_cast<int64_t>(ranked.size()) > *options_.max_tokens - token_start()) {
    ranked.resize(static_cast<size_t>(*options_.max_tokens - token_start()));
  }
  std::vector<std::string> vocabulary;
  vocabulary.reserve(ranked.size());
  for (auto& entry : ranked) vocabulary.push_back(std::move(entry.second));
  use_vocabulary(std::move(vocabulary));
}

void TextVectorization::adapt(const data::Dataset& dataset) {
  std::vector<std::string> texts;
  for (const data::Element& element : dataset) {
    if (element.text.empty()) {
      throw Error(
          fmt::format("TextVectorization \"{}\": adapt expected a dataset of texts (Element::text), "
                      "received an element without text",
                      name()));
    }
    texts.insert(texts.end(), element.text.begin(), element.text.end());
  }
  adapt(texts);
}

void TextVectorization::set_vocabulary(const std::vector<std::string>& vocabulary) {
  if (vocabulary.empty()) throw Error("TextVectorization: cannot set an empty vocabulary");
  std::vector<std::string> special = {std::string(kOovToken)};
  if (options_.output_mode == "int") special.insert(special.begin(), std::string(kMaskToken));
  const bool starts_with_special =
      vocabulary.size() >= special.size() && std::equal(special.begin(), special.end(), vocabulary.begin());
  std::vector<std::string> tokens(
      vocabulary.begin() + (starts_with_special ? static_cast<ptrdiff_t>(special.size()) : 0), vocabulary.end());
  std::unordered_set<std::string_view> seen;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!seen.insert(tokens[i]).second) {
      throw Error(
          fmt::format("TextVectorization: expected a vocabulary without repeated tokens, received \"{}\" "
                      "twice",
                      tokens[i]));
    }
    if (std::find(special.begin(), special.end(), tokens[i]) != special.end()) {
      throw Error(
          fmt::format("TextVectorization: found the special token \"{}\" at index {} of the vocabulary; "
                      "leave the special tokens out, or put them only at its start, in the order [\"{}\"]",
                      tokens[i], i + (starts_with_special ? special.size() : 0), fmt::join(special, "\", \"")));
    }
  }
  const int64_t size = static_cast<int64_t>(tokens.size()) + token_start();
  if (options_.max_tokens && size > *options_.max_tokens) {
    throw Error(
        fmt::format("TextVectorization: expected a vocabulary of at most max_tokens = {} tokens (special "
                    "tokens included), received {}",
                    *options_.max_tokens, size));
  }
  use_vocabulary(std::move(tokens));
  has_input_vocabulary_ = true;
}

void TextVectorization::use_vocabulary(std::vector<std::string> tokens) {
  vocabulary_ = std::move(tokens);
  index_.clear();
  index_.reserve(vocabulary_.size());
  for (size_t i = 0; i < vocabulary_.size(); ++i)
    index_.emplace(vocabulary_[i], static_cast<int64_t>(i) + token_start());
}

std::vector<std::string> TextVectorization::get_vocabulary(bool include_special_tokens) const {
  std::vector<std::string> vocabulary;
  if (include_special_tokens) {
    if (options_.output_mode == "int") vocabulary.emplace_back(kMaskToken);
    vocabulary.emplace_back(kOovToken);
  }
  vocabulary.insert(vocabulary.end(), vocabulary_.begin(), vocabulary_.end());
  return vocabulary;
}

int64_t TextVectorization::vocabulary_size() const { return static_cast<int64_t>(vocabulary_.size()) + token_start(); }

int64_t TextVectorization::index_of(std::string_view token) const {
  if (options_.output_mode == "int" && token == kMaskToken) return 0;
  const auto found = index_.find(token);
  return found == index_.end() ? token_start() - 1 : found->second;
}

torch::Tensor TextVectorization::operator()(const std::vector<std::string>& texts) const {
  if (vocabulary_.empty()) {
    throw Error(
        fmt::format("TextVectorization \"{}\": the layer has no vocabulary yet; call adapt(texts) first, or "
                    "pass .vocabulary",
                    name()));
  }
  const auto count = static_cast<int64_t>(texts.size());
  std::vector<std::vector<int64_t>> ids(texts.size());
  int64_t longest = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    for (const std::string& token : tokens(texts[i])) ids[i].push_back(index_of(token));
    longest = std::max(longest, static_cast<int64_t>(ids[i].size()));
  }
  if (options_.output_mode != "int") {
    torch::Tensor counts = torch::zeros({count, vocabulary_size()}, torch::kFloat32);
    auto table = counts.accessor<float, 2>();
    for (int64_t i = 0; i < count; ++i) {
      for (const int64_t id : ids[i]) table[i][id] = options_.output_mode == "count" ? table[i][id] + 1.0F : 1.0F;
    }
    return counts;
  }
  const int64_t length = options_.output_sequence_length.value_or(longest);
  torch::Tensor output = torch::zeros({count, length}, torch::kLong);
  auto table = output.accessor<int64_t, 2>();
  for (int64_t i = 0; i < count; ++i) {
    const auto kept = std::min<int64_t>(length, static_cast<int64_t>(ids[i].size()));
    for (int64_t t = 0; t < kept; ++t) table[i][t] = ids[i][t];
  }
  return output;
}

Shape TextVectorization::build_weights(const Shape& input_shape) {
  if (options_.output_mode == "int") {
    if (!options_.output_sequence_length) {
      throw Error(
          fmt::format("TextVectorization \"{}\": in a model the layer needs output_sequence_length, since "
                      "tkeras's models take inputs of one shape (without it each call is as long as its "
                      "longest text)",
                      name()));
    }
    if (input_shape != Shape{*options_.output_sequence_length}) {
      throw Error(
          fmt::format("TextVectorization \"{}\": expected the token ids it makes, of shape {}, received "
                      "input of shape {}",
                      name(), format_batch_shape({*options_.output_sequence_length}), format_batch_shape(input_shape)));
    }
  } else if (input_shape != Shape{vocabulary_size()}) {
    throw Error(
        fmt::format("TextVectorization \"{}\": expected the token counts it makes, of shape {}, received "
                    "input of shape {}",
                    name(), format_batch_shape({vocabulary_size()}), format_batch_shape(input_shape)));
  }
  return input_shape;
}

torch::Tensor TextVectorization::call(const torch::Tensor& inputs, bool /*training*/) {
  const bool ids = options_.output_mode == "int";
  const bool expected_dtype =
      ids ? inputs.scalar_type() == torch::kLong || inputs.scalar_type() == torch::kInt : inputs.is_floating_point();
  if (!expected_dtype) {
    throw Error(
        fmt::format("TextVectorization \"{}\": expected texts, which a model vectorizes before this layer "
                    "(fit, evaluate or predict with std::vector<std::string>, or a dataset of "
                    "Element::text), or the {} it makes; received a tensor of {}",
                    name(), ids ? "int64 token ids" : "float32 token counts", c10::toString(inputs.scalar_type())));
  }
  return inputs;
}

io::onnx::Value TextVectorization::to_onnx(io::onnx::GraphBuilder& /*graph*/, const io::onnx::Value& /*inputs*/) const {
  onnx_export::refuse(*this,
                      "it processes strings, which standard ONNX operators do not here; export a model of the layers "
                      "after it, which takes its token ids, and vectorize the texts in the application");
}

Config TextVectorization::to_keras(keras_format::Writer& writer, const std::string& path) const {
  Config config = get_config();
  const bool given = config.value("has_input_vocabulary", false);
  config.erase("has_input_vocabulary");
  if (!given && config["vocabulary"].is_array()) {
    // Keras's get_vocabulary(include_special_tokens=True), one token a line, beside the config.
    const std::string text = fmt::format("{}", fmt::join(get_vocabulary(), "\n"));
    writer.add_file("assets/" + path + "/vocabulary.txt", text);
    writer.add_file("assets/" + path + "/_lookup_layer/vocabulary.txt", text);
    config["vocabulary"] = nullptr;
  }
  return keras_format::entry(*this, std::move(config));
}

Config TextVectorization::from_keras(const Config& entry, keras_format::Reader& reader, const std::string& path,
                                     const std::string& where) {
  Config out = entry;
  Config& config = out["config"];
  if (config.value("vocabulary", Config()).is_null()) {
    // Keras keeps an adapted vocabulary in the assets, the lookup layer's copy being the one it reads.
    for (const std::string& name :
         {"assets/" + path + "/_lookup_layer/vocabulary.txt", "assets/" + path + "/vocabulary.txt"}) {
      const std::string* file = reader.file(name);
      if (file == nullptr) continue;
      std::vector<std::string> lines;
      std::istringstream text(*file);
      for (std::string line; std::getline(text, line);) lines.push_back(line);
      while (!lines.empty() && lines.back().empty()) lines.pop_back();
      if (!lines.empty()) config["vocabulary"] = lines;
      config["has_input_vocabulary"] = false;
      break;
    }
  }
  reader.check_options(out, where);
  return out;
}

Config TextVectorization::to_keras_input(Config input_layer) const {
  input_layer["batch_shape"] = Config::array({nullptr, 1});
  input_layer["dtype"] = "string";
  return input_layer;
}

Config TextVectorization::from_keras_input(Config input_layer) const {
  input_layer["batch_shape"] = Config::array(
      {nullptr, output_mode() == "int" ? get_config()["output_sequence_length"] : Config(vocabulary_size())});
  return input_layer;
}

}  // namespace tkeras::layers
