// The tkeras side of the Keras parity suite (tests/keras/*.py): loads a model file that the
// Python side wrote from a real Keras model (its config, compile settings and initial weights),
// runs what the test asks on data the Python side wrote, and writes the results back.
//
// Usage: tkeras-keras-driver DIR
//   DIR/model.tkeras      the model, with Keras's initial weights
//   DIR/data.pt           a dict of tensors written by torch.save: x, y, and optionally
//                         x_val, y_val (validation data) and x_eval, y_eval (evaluate, predict),
//                         sample_weight, val_sample_weight and eval_sample_weight (per
//                         output: sample_weight/<output>...); a model of several inputs or
//                         outputs takes x/<input>, y/<output>...
//   DIR/job.json          {"epochs": N, "batch_size": B, "callbacks": [...]} (see below), or
//                         {"phases": [{"epochs": N, "trainable": {"dense": false}}, ...], ...};
//                         with "call_training": true it also writes DIR/call.pt, the model called
//                         on x_eval in training mode; "class_weight": {"0": 1.0, ...} for fit;
//                         "validation_split": f for fit instead of x_val; for a model that starts
//                         with a TextVectorization, "adapt": [texts] adapts it first (writing
//                         DIR/vocabulary.json) and "texts", "texts_val", "texts_eval" replace x,
//                         x_val and x_eval; "load_weights": PATH loads weights (a Keras
//                         .weights.h5) before anything else, "save_weights": PATH saves them after
//                         fit; "model": PATH loads that model file (a Keras .keras) in place of
//                         DIR/model.tkeras, "save_model": PATH saves the model after fit,
//                         "export_onnx": PATH exports it to ONNX after fit; "dataset": true
//                         fits and evaluates a model of several inputs or outputs through
//                         Dataset::from_tensor_slices(...).batch(batch_size); or {"vectorize": {"config": {...},
//                         "adapt": [texts], "texts": [texts]}}: a TextVectorization alone, from Keras's config,
//                         adapted, writing DIR/vocabulary.json and DIR/vectorized.pt; or
//                         {"initialize": [{"initializer": {...}, "shape": [...]}, ...]}: Keras's
//                         serialized initializers called on the shapes, writing DIR/initialized_<i>.pt
// Every model loads with the custom objects of test_custom_objects.py, written again in C++
// (tests/custom_pieces.h).
// It writes DIR/summary.txt, DIR/history.json (the History of fit; DIR/histories.json: one per
// phase), DIR/final.safetensors (the
// weights after fit), DIR/evaluate.json (with y_eval) and DIR/predict.pt (on x_eval, after fit), and whatever
// files the callbacks write (under DIR/out).
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <tkeras/tkeras.h>

#include "../custom_pieces.h"

namespace tk = tkeras;
namespace cb = tk::callbacks;
using nlohmann::json;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw tk::Error(fmt::format("driver: cannot read \"{}\"", path));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw tk::Error(fmt::format("driver: cannot write \"{}\"", path));
}

torch::Tensor get(const c10::Dict<c10::IValue, c10::IValue>& data, const std::string& key) {
  return data.contains(key) ? data.at(key).toTensor() : torch::Tensor();
}

// A model of several inputs or outputs: the tensors `<prefix>/<name>`, by name.
std::map<std::string, torch::Tensor> named(const c10::Dict<c10::IValue, c10::IValue>& data, const std::string& prefix) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& entry : data) {
    const std::string key = entry.key().toStringRef();
    if (key.starts_with(prefix + "/")) tensors[key.substr(prefix.size() + 1)] = entry.value().toTensor();
  }
  return tensors;
}

// Sample weights: one tensor `key`, or per output, `<key>/<output>` by name.
tk::Data weights(const c10::Dict<c10::IValue, c10::IValue>& data, const std::string& key) {
  if (auto by_output = named(data, key); !by_output.empty()) return by_output;
  return get(data, key);
}

// Keras's callbacks, from the job's {"class_name": ..., "config": {...}} entries.
std::shared_ptr<cb::Callback> make_callback(const json& entry, const std::string& dir) {
  const std::string kind = entry.at("class_name").get<std::string>();
  const json& c = entry.at("config");
  if (kind == "EarlyStopping") {
    return std::make_shared<cb::EarlyStopping>(
        cb::EarlyStoppingOptions{.monitor = c.value("monitor", "val_loss"),
                                 .min_delta = c.value("min_delta", 0.0),
                                 .patience = c.value("patience", 0),
                                 .mode = c.value("mode", "auto"),
                                 .baseline = c.contains("baseline") && !c["baseline"].is_null()
                                                 ? std::optional<double>(c["baseline"].get<double>())
                                                 : std::nullopt,
                                 .restore_best_weights = c.value("restore_best_weights", false),
                                 .start_from_epoch = c.value("start_from_epoch", 0)});
  }
  if (kind == "ReduceLROnPlateau") {
    return std::make_shared<cb::ReduceLROnPlateau>(
        cb::ReduceLROnPlateauOptions{.monitor = c.value("monitor", "val_loss"),
                                     .factor = c.value("factor", 0.1),
                                     .patience = c.value("patience", 10),
                                     .mode = c.value("mode", "auto"),
                                     .min_delta = c.value("min_delta", 1e-4),
                                     .cooldown = c.value("cooldown", 0),
                                     .min_lr = c.value("min_lr", 0.0)});
  }
  if (kind == "LearningRateScheduler") {  // each epoch's rate: the previous one times "factor"
    const double factor = c.at("factor").get<double>();
    return std::make_shared<cb::LearningRateScheduler>([factor](int, double rate) { return rate * factor; });
  }
  if (kind == "ModelCheckpoint") {
    return std::make_shared<cb::ModelCheckpoint>(
        cb::ModelCheckpointOptions{.filepath = dir + "/out/" + c.at("filepath").get<std::string>(),
                                   .monitor = c.value("monitor", "val_loss"),
                                   .verbose = 0,
                                   .save_best_only = c.value("save_best_only", false),
                                   .save_weights_only = c.value("save_weights_only", false),
                                   .mode = c.value("mode", "auto")});
  }
  if (kind == "CSVLogger") {
    return std::make_shared<cb::CSVLogger>(
        dir + "/out/" + c.at("filename").get<std::string>(),
        cb::CSVLoggerOptions{.separator = c.value("separator", std::string(","))[0]});
  }
  throw tk::Error(fmt::format("driver: unknown callback \"{}\"", kind));
}

void write_pt(const std::string& path, const torch::Tensor& tensor) {
  const std::vector<char> bytes = torch::pickle_save(tensor);
  write_text(path, std::string(bytes.begin(), bytes.end()));
}

std::vector<std::string> strings(const json& job, const char* key) {
  return job.value(key, std::vector<std::string>{});
}

// {"vectorize": ...}: Keras's TextVectorization config made into tkeras's, adapted and called.
void vectorize(const std::string& dir, const json& job) {
  const auto layer = tk::layers::TextVectorization::from_config(job.at("config"));
  layer->adapt(strings(job, "adapt"));
  write_text(dir + "/vocabulary.json", json(layer->get_vocabulary()).dump());
  write_pt(dir + "/vectorized.pt", (*layer)(strings(job, "texts")));
}

// {"initialize": ...}: each of Keras's serialized initializers called on its shape.
void initialize(const std::string& dir, const json& cases) {
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto initializer = tk::initializers::deserialize(cases[i].at("initializer"));
    write_pt(fmt::format("{}/initialized_{}.pt", dir, i), (*initializer)(cases[i].at("shape").get<tk::Shape>()));
  }
}

void run(const std::string& dir) {
  const json job = json::parse(read_text(dir + "/job.json"));
  if (job.contains("vectorize")) {
    vectorize(dir, job.at("vectorize"));
    return;
  }
  if (job.contains("initialize")) {
    initialize(dir, job.at("initialize"));
    return;
  }
  const std::string data_bytes = read_text(dir + "/data.pt");
  const auto data = torch::pickle_load(std::vector<char>(data_bytes.begin(), data_bytes.end())).toGenericDict();

  std::shared_ptr<tk::Model> model = tk::models::load_model(
      job.value("model", dir + "/model.tkeras"), {.device = "cpu", .custom_objects = tk::testing::custom_pieces()});
  std::ostringstream summary;
  model->summary(summary);
  write_text(dir + "/summary.txt", summary.str());

  if (job.contains("load_weights")) model->load_weights(job.at("load_weights").get<std::string>());
  const torch::Tensor x = get(data, "x");
  // Data by name ("x/image", "y/label"...) for a model of several inputs or outputs.
  const std::map<std::string, torch::Tensor> xs = named(data, "x");
  const std::vector<std::string> texts = strings(job, "texts");
  const std::vector<std::string> texts_eval = strings(job, "texts_eval");
  if (job.contains("adapt")) {
    auto& vectorize_layer = dynamic_cast<tk::layers::TextVectorization&>(*model->layers().front());
    vectorize_layer.adapt(strings(job, "adapt"));
    write_text(dir + "/vocabulary.json", json(vectorize_layer.get_vocabulary()).dump());
  }
  // A job is one fit, or phases: fits in turn, each after setting some layers' trainable flags
  // ({"epochs": N, "trainable": {"dense": false}}), as a user freezes and unfreezes between fits.
  json phases = job.value("phases", json::array());
  if (phases.empty() && job.value("epochs", 0) > 0) phases.push_back({{"epochs", job.at("epochs")}});
  json histories = json::array();
  for (const json& phase : phases) {
    if (!x.defined() && texts.empty() && xs.empty()) break;
    const json trainable_flags = phase.value("trainable", json::object());
    for (const auto& [layer, trainable] : trainable_flags.items()) {
      model->get_layer(layer)->set_trainable(trainable.get<bool>());
    }
    std::vector<std::shared_ptr<cb::Callback>> callbacks;
    for (const json& entry : job.value("callbacks", json::array())) callbacks.push_back(make_callback(entry, dir));
    std::map<int64_t, double> class_weight;
    const json class_weights = job.value("class_weight", json::object());
    for (const auto& [label, weight] : class_weights.items()) {
      class_weight[std::stoll(label)] = weight.get<double>();
    }
    const std::vector<std::string> texts_val = strings(job, "texts_val");
    const tk::FitOptions options{
        .epochs = phase.at("epochs").get<int>(),
        .batch_size = job.value("batch_size", int64_t{32}),
        .validation_split = job.value("validation_split", 0.0),
        .validation_data =
            !xs.empty() && !named(data, "x_val").empty()
                ? tk::ValidationData(named(data, "x_val"), named(data, "y_val"), weights(data, "val_sample_weight"))
            : texts_val.empty()
                ? tk::ValidationData(get(data, "x_val"), get(data, "y_val"), get(data, "val_sample_weight"))
                : tk::ValidationData(texts_val, get(data, "y_val"), get(data, "val_sample_weight")),
        .shuffle = false,
        .class_weight = class_weight,
        .sample_weight = weights(data, "sample_weight"),
        .verbose = 0,
        .callbacks = callbacks};
    // {"dataset": true}: the same data, in the same batches, through datasets (several inputs).
    const auto dataset_of = [&](const std::string& x_key, const std::string& y_key, const std::string& w_key) {
      return tk::data::Dataset::from_tensor_slices(named(data, x_key), named(data, y_key), weights(data, w_key))
          .batch(options.batch_size);
    };
    if (job.value("dataset", false)) {
      tk::FitOptions through_datasets = options;
      through_datasets.sample_weight = {};
      if (!named(data, "x_val").empty()) {
        through_datasets.validation_data = dataset_of("x_val", "y_val", "val_sample_weight");
      }
      const tk::History history = model->fit(dataset_of("x", "y", "sample_weight"), through_datasets);
      json out = {{"epoch", history.epoch}, {"history", json::object()}};
      for (const auto& [key, values] : history.history) out["history"][key] = values;
      histories.push_back(out);
      continue;
    }
    const tk::History history = !xs.empty()     ? model->fit(xs, named(data, "y"), options)
                                : texts.empty() ? model->fit(x, get(data, "y"), options)
                                                : model->fit(texts, get(data, "y"), options);
    json out = {{"epoch", history.epoch}, {"history", json::object()}};
    for (const auto& [key, values] : history.history) out["history"][key] = values;
    histories.push_back(out);
  }
  if (!histories.empty()) {
    write_text(dir + "/history.json", histories.back().dump());
    write_text(dir + "/histories.json", histories.dump());
  }
  // {"on_batch": true}: train_on_batch over x and y in consecutive batches of batch_size
  // (DIR/on_batch.json's "train": each call's logs), then test_on_batch on x_eval and y_eval
  // ("test") and predict_on_batch on x_eval (DIR/predict_on_batch.pt).
  if (job.value("on_batch", false)) {
    const torch::Tensor x = get(data, "x");
    const torch::Tensor y = get(data, "y");
    const int64_t step = job.value("batch_size", int64_t{32});
    const auto to_json = [](const tk::Logs& logs) {
      json out = json::object();
      for (const auto& [key, value] : logs) out[key] = value;
      return out;
    };
    json out = {{"train", json::array()}};
    for (int64_t start = 0; start < x.size(0); start += step) {
      const int64_t rows = std::min(step, x.size(0) - start);
      out["train"].push_back(to_json(model->train_on_batch(x.narrow(0, start, rows), y.narrow(0, start, rows))));
    }
    out["test"] = to_json(model->test_on_batch(get(data, "x_eval"), get(data, "y_eval")));
    write_pt(dir + "/predict_on_batch.pt", model->predict_on_batch(get(data, "x_eval")));
    write_text(dir + "/on_batch.json", out.dump());
  }
  model->save_weights(dir + "/final.safetensors");
  if (job.contains("save_weights")) model->save_weights(job.at("save_weights").get<std::string>());
  if (job.contains("save_model")) model->save(job.at("save_model").get<std::string>());
  if (job.contains("export_onnx")) tk::export_onnx(*model, job.at("export_onnx").get<std::string>());

  const torch::Tensor x_eval = get(data, "x_eval");
  const torch::Tensor y_eval = get(data, "y_eval");
  const int64_t batch_size = job.value("batch_size", int64_t{32});
  if ((x_eval.defined() || !texts_eval.empty()) && y_eval.defined()) {
    const tk::EvaluateOptions options{
        .batch_size = batch_size, .verbose = 0, .sample_weight = get(data, "eval_sample_weight")};
    const tk::Logs logs =
        texts_eval.empty() ? model->evaluate(x_eval, y_eval, options) : model->evaluate(texts_eval, y_eval, options);
    json scores = json::object();
    for (const auto& [key, value] : logs) scores[key] = value;
    write_text(dir + "/evaluate.json", scores.dump());
  }
  if (x_eval.defined()) write_pt(dir + "/predict.pt", model->predict(x_eval, {.batch_size = batch_size, .verbose = 0}));
  if (!texts_eval.empty()) {
    write_pt(dir + "/predict.pt", model->predict(texts_eval, {.batch_size = batch_size, .verbose = 0}));
  }
  // A model of several outputs: DIR/predict_<output>.pt for each.
  if (const auto xs_eval = named(data, "x_eval"); !xs_eval.empty()) {
    const tk::Data predicted = model->predict(xs_eval, {.batch_size = batch_size, .verbose = 0});
    for (size_t i = 0; i < predicted.size(); ++i) {
      write_pt(dir + "/predict_" + predicted.names()[i] + ".pt", predicted[i]);
    }
    if (const auto ys_eval = named(data, "y_eval"); !ys_eval.empty()) {
      const tk::Logs logs =
          job.value("dataset", false)
              ? model->evaluate(
                    tk::data::Dataset::from_tensor_slices(xs_eval, ys_eval, weights(data, "eval_sample_weight"))
                        .batch(batch_size),
                    {.verbose = 0})
              : model->evaluate(
                    xs_eval, ys_eval,
                    {.batch_size = batch_size, .verbose = 0, .sample_weight = weights(data, "eval_sample_weight")});
      json scores = json::object();
      for (const auto& [key, value] : logs) scores[key] = value;
      write_text(dir + "/evaluate.json", scores.dump());
    }
  }
  // {"call_training": true}: the model called on x_eval as in fit (augmentation layers active).
  if (x_eval.defined() && job.value("call_training", false)) {
    const torch::NoGradGuard no_grad;
    write_pt(dir + "/call.pt", model->call(x_eval.to(torch::kFloat32), /*training=*/true));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: tkeras-keras-driver DIR\n";
    return 2;
  }
  try {
    tk::utils::set_random_seed(0);
    run(argv[1]);
  } catch (const std::exception& error) {
    std::cerr << "tkeras-keras-driver: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
