// Dataset: sources (tensors, generators), the chained stages, and passes over them.
#include "tkeras/data/dataset.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "data/pipeline.h"
#include "tkeras/core/denormals.h"
#include "tkeras/core/error.h"
#include "tkeras/core/shape.h"

// OpenMP's per-thread thread count, weak: LibTorch brings the OpenMP runtime into the process (the
// pip wheels link libgomp); tkeras itself is not built with OpenMP. Null where there is none.
extern "C" void omp_set_num_threads(int count) __attribute__((weak));

namespace tkeras::data {
namespace {

using Cursor = Dataset::Iterator::Cursor;
using NodePtr = std::shared_ptr<const Dataset::Node>;

// --- sources ---

// An element's part from `part`: one tensor where `single` points (x, y or sample_weight), a list
// or a map in `structured` (inputs, targets or sample_weights).
void place(Data part, torch::Tensor& single, Data& structured) {
  if (part.list()) {
    structured = std::move(part);
  } else if (part.size() == 1) {
    single = part.tensors().front();
  }
}

Element make_element(Data x, Data y, Data sample_weight) {
  Element element;
  place(std::move(x), element.x, element.inputs);
  place(std::move(y), element.y, element.targets);
  place(std::move(sample_weight), element.sample_weight, element.sample_weights);
  return element;
}

struct TensorSlices final : Dataset::Node {
  Data x, y, sample_weight;

  Element slice(const std::function<torch::Tensor(const torch::Tensor&)>& rows) const {
    return make_element(x.map(rows), y.map(rows), sample_weight.map(rows));
  }
  int64_t length() const { return x.tensors().front().size(0); }

  struct SliceCursor final : Cursor {
    const TensorSlices& node;
    int64_t index = 0;
    explicit SliceCursor(const TensorSlices& source) : node(source) {}
    std::optional<Element> next() override {
      if (index >= node.length()) return std::nullopt;
      Element element = node.slice([&](const torch::Tensor& tensor) { return tensor[index]; });
      ++index;
      return element;
    }
  };

  std::unique_ptr<Cursor> open() const override { return std::make_unique<SliceCursor>(*this); }
  int64_t cardinality() const override { return length(); }
};

struct FromGenerator final : Dataset::Node {
  std::function<Generator()> make;
  int64_t count = Dataset::kUnknown;

  struct GeneratorCursor final : Cursor {
    Generator generator;
    std::optional<Element> next() override { return generator(); }
  };

  std::unique_ptr<Cursor> open() const override {
    auto cursor = std::make_unique<GeneratorCursor>();
    cursor->generator = make();
    if (!cursor->generator) throw Error("Dataset.from_generator: the function returned an empty generator");
    return cursor;
  }
  int64_t cardinality() const override { return count; }
};

// --- stages ---

struct Shuffle final : Dataset::Node {
  NodePtr source;
  int64_t buffer_size = 1;
  uint64_t seed = 0;
  bool reshuffle = true;
  mutable std::atomic<uint64_t> passes{0};

  // tf.data's shuffle: fill a buffer, then repeatedly give out a random element of it and put the
  // next input element in its place.
  struct ShuffleCursor final : Cursor {
    std::unique_ptr<Cursor> input;
    int64_t capacity;
    std::mt19937_64 engine;
    std::vector<Element> buffer;
    bool input_done = false;

    ShuffleCursor(std::unique_ptr<Cursor> in, int64_t size, uint64_t seed)
        : input(std::move(in)), capacity(size), engine(seed) {}

    std::optional<Element> next() override {
      while (!input_done && static_cast<int64_t>(buffer.size()) < capacity) {
        std::optional<Element> element = input->next();
        if (!element) {
          input_done = true;
          break;
        }
        buffer.push_back(std::move(*element));
      }
      if (buffer.empty()) return std::nullopt;
      std::uniform_int_distribution<size_t> pick(0, buffer.size() - 1);
      const size_t chosen = pick(engine);
      Element element = std::move(buffer[chosen]);
      if (!input_done) {
        if (std::optional<Element> refill = input->next()) {
          buffer[chosen] = std::move(*refill);
          return element;
        }
        input_done = true;
      }
      buffer[chosen] = std::move(buffer.back());
      buffer.pop_back();
      return element;
    }
  };

  std::unique_ptr<Cursor> open() const override {
    const uint64_t pass = reshuffle ? passes.fetch_add(1) : 0;
    // Each pass gets its own stream, derived from the seed and the pass number.
    std::seed_seq sequence{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), static_cast<uint32_t>(pass),
                           static_cast<uint32_t>(pass >> 32)};
    std::mt19937_64 mixer(sequence);
    return std::make_unique<ShuffleCursor>(source->open(), buffer_size, mixer());
  }
  int64_t cardinality() const override { return source->cardinality(); }
};

std::string describe(const torch::Tensor& tensor) {
  return tensor.defined()
             ? fmt::format("{} {}", c10::getDtypeNames(tensor.scalar_type()).first, format_shape(tensor.sizes().vec()))
             : "none";
}

torch::Tensor stack_part(std::vector<torch::Tensor>& parts, const std::string& name) {
  if (!parts.front().defined()) {
    for (size_t i = 1; i < parts.size(); ++i) {
      if (parts[i].defined()) {
        throw Error(
            fmt::format("Dataset.batch: element {} has {}, but the first element of its batch has none", i, name));
      }
    }
    return {};
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    if (!parts[i].defined() || parts[i].sizes() != parts.front().sizes() ||
        parts[i].scalar_type() != parts.front().scalar_type()) {
      throw Error(
          fmt::format("Dataset.batch: expected elements of one shape and dtype in a batch, received {} {} after {} {} "
                      "(element {} of the batch); resize them to one size first, with a map or the loader's image_size",
                      name, describe(parts[i]), name, describe(parts.front()), i));
    }
  }
  return torch::stack(parts);
}

// The name of a structured part's tensor in messages: `inputs["image"]` or `inputs[0]`.
std::string part_name(const Data& data, const char* name, size_t index) {
  return data.named() ? fmt::format("{}[\"{}\"]", name, data.names()[index]) : fmt::format("{}[{}]", name, index);
}

// The structured parts of the elements (`inputs`, `targets` or `sample_weights`), joined tensor by
// tensor with `join` (stack or cat); every element must have the first one's structure. `verb`
// names the operation in messages.
Data join_structured(const std::vector<Data>& parts, const char* name, const char* verb,
                     const std::function<torch::Tensor(std::vector<torch::Tensor>&, const std::string&)>& join) {
  const Data& first = parts.front();
  const auto structure = [](const Data& data) {
    if (!data.defined()) return std::string("none");
    return data.named() ? fmt::format("{{{}}}", fmt::join(data.names(), ", "))
                        : fmt::format("a list of {} tensors", data.size());
  };
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].defined() != first.defined() || parts[i].size() != first.size() || parts[i].names() != first.names()) {
      throw Error(fmt::format("{}: element {} has {} {}, but the first element has {}", verb, i, name,
                              structure(parts[i]), structure(first)));
    }
  }
  if (!first.defined()) return {};
  std::vector<torch::Tensor> joined;
  for (size_t t = 0; t < first.size(); ++t) {
    std::vector<torch::Tensor> column;
    column.reserve(parts.size());
    for (const Data& part : parts) column.push_back(part.tensors()[t]);
    joined.push_back(join(column, part_name(first, name, t)));
  }
  return first.named() ? Data(first.names(), std::move(joined)) : Data(std::move(joined));
}

struct Batch final : Dataset::Node {
  NodePtr source;
  int64_t size = 32;
  bool drop_remainder = false;

  struct BatchCursor final : Cursor {
    std::unique_ptr<Cursor> input;
    int64_t size;
    bool drop_remainder;
    bool done = false;

    std::optional<Element> next() override {
      if (done) return std::nullopt;
      std::vector<torch::Tensor> xs, ys, weights;
      std::vector<Data> inputs, targets, sample_weights;
      std::vector<std::string> text;
      int64_t count = 0;
      bool with_text = false;
      xs.reserve(static_cast<size_t>(size));
      ys.reserve(static_cast<size_t>(size));
      weights.reserve(static_cast<size_t>(size));
      while (count < size) {
        std::optional<Element> element = input->next();
        if (!element) {
          done = true;
          break;
        }
        // Text is joined, one string per sample; every element of a batch has it or none does.
        if (count == 0) with_text = !element->text.empty();
        if (with_text != !element->text.empty()) {
          throw Error(fmt::format("Dataset.batch: element {} has {}, but the first element of its batch has {}", count,
                                  with_text ? "no text" : "text", with_text ? "some" : "none"));
        }
        text.insert(text.end(), std::make_move_iterator(element->text.begin()),
                    std::make_move_iterator(element->text.end()));
        xs.push_back(std::move(element->x));
        ys.push_back(std::move(element->y));
        weights.push_back(std::move(element->sample_weight));
        inputs.push_back(std::move(element->inputs));
        targets.push_back(std::move(element->targets));
        sample_weights.push_back(std::move(element->sample_weights));
        ++count;
      }
      if (count == 0 || (drop_remainder && count < size)) return std::nullopt;
      const auto stack = [](std::vector<torch::Tensor>& parts, const std::string& name) {
        return stack_part(parts, name);
      };
      return Element{.x = stack_part(xs, "x"),
                     .y = stack_part(ys, "y"),
                     .sample_weight = stack_part(weights, "sample_weight"),
                     .text = std::move(text),
                     .inputs = join_structured(inputs, "inputs", "Dataset.batch", stack),
                     .targets = join_structured(targets, "targets", "Dataset.batch", stack),
                     .sample_weights = join_structured(sample_weights, "sample_weights", "Dataset.batch", stack)};
    }
  };

  // Batches of tensors in order are views of them: no per-sample copies.
  struct SliceBatchCursor final : Cursor {
    const TensorSlices& slices;
    int64_t size;
    bool drop_remainder;
    int64_t start = 0;

    SliceBatchCursor(const TensorSlices& source, int64_t batch_size, bool drop)
        : slices(source), size(batch_size), drop_remainder(drop) {}

    std::optional<Element> next() override {
      const int64_t total = slices.length();
      const int64_t length = std::min(size, total - start);
      if (length <= 0 || (drop_remainder && length < size)) return std::nullopt;
      Element element = slices.slice([&](const torch::Tensor& tensor) { return tensor.narrow(0, start, length); });
      start += length;
      return element;
    }
  };

  std::unique_ptr<Cursor> open() const override {
    if (const auto* slices = dynamic_cast<const TensorSlices*>(source.get())) {
      return std::make_unique<SliceBatchCursor>(*slices, size, drop_remainder);
    }
    auto cursor = std::make_unique<BatchCursor>();
    cursor->input = source->open();
    cursor->size = size;
    cursor->drop_remainder = drop_remainder;
    return cursor;
  }
  int64_t cardinality() const override {
    const int64_t count = source->cardinality();
    if (count < 0) return count;
    return drop_remainder ? count / size : (count + size - 1) / size;
  }
};

struct Map final : Dataset::Node {
  NodePtr source;
  std::function<Element(Element)> function;
  int threads = 1;

  struct MapCursor final : Cursor {
    std::unique_ptr<Cursor> input;
    const std::function<Element(Element)>& function;
    MapCursor(std::unique_ptr<Cursor> in, const std::function<Element(Element)>& f)
        : input(std::move(in)), function(f) {}
    std::optional<Element> next() override {
      std::optional<Element> element = input->next();
      if (!element) return std::nullopt;
      const torch::NoGradGuard no_grad;
      return function(std::move(*element));
    }
  };

  std::unique_ptr<Cursor> open() const override {
    if (threads == 1) return std::make_unique<MapCursor>(source->open(), function);
    return pipeline::parallel(source->open(), function, threads, 2 * static_cast<int64_t>(threads));
  }
  int64_t cardinality() const override { return source->cardinality(); }
};

struct Cache final : Dataset::Node {
  NodePtr source;
  mutable std::mutex mutex;
  mutable std::shared_ptr<const std::vector<Element>> stored;

  struct ReplayCursor final : Cursor {
    std::shared_ptr<const std::vector<Element>> elements;
    size_t index = 0;
    std::optional<Element> next() override {
      if (index >= elements->size()) return std::nullopt;
      return (*elements)[index++];
    }
  };

  // The first complete pass fills the cache; a pass left unfinished stores nothing, as tf.data.
  struct FillCursor final : Cursor {
    const Cache& node;
    std::unique_ptr<Cursor> input;
    std::vector<Element> seen;
    FillCursor(const Cache& cache, std::unique_ptr<Cursor> in) : node(cache), input(std::move(in)) {}
    std::optional<Element> next() override {
      std::optional<Element> element = input->next();
      if (!element) {
        const std::lock_guard lock(node.mutex);
        if (!node.stored) node.stored = std::make_shared<const std::vector<Element>>(std::move(seen));
        return std::nullopt;
      }
      seen.push_back(*element);
      return element;
    }
  };

  std::unique_ptr<Cursor> open() const override {
    const std::lock_guard lock(mutex);
    if (stored) {
      auto cursor = std::make_unique<ReplayCursor>();
      cursor->elements = stored;
      return cursor;
    }
    return std::make_unique<FillCursor>(*this, source->open());
  }
  int64_t cardinality() const override { return source->cardinality(); }
};

struct Prefetch final : Dataset::Node {
  NodePtr source;
  int64_t buffer_size = 2;
  std::unique_ptr<Cursor> open() const override { return pipeline::parallel(source->open(), {}, 1, buffer_size); }
  int64_t cardinality() const override { return source->cardinality(); }
};

struct Take final : Dataset::Node {
  NodePtr source;
  int64_t count = -1;

  struct TakeCursor final : Cursor {
    std::unique_ptr<Cursor> input;
    int64_t left;
    std::optional<Element> next() override {
      if (left == 0) return std::nullopt;
      if (left > 0) --left;
      return input->next();
    }
  };

  std::unique_ptr<Cursor> open() const override {
    auto cursor = std::make_unique<TakeCursor>();
    cursor->input = source->open();
    cursor->left = count;
    return cursor;
  }
  int64_t cardinality() const override {
    const int64_t total = source->cardinality();
    if (count < 0) return total;
    if (total == Dataset::kInfinite) return count;
    if (total == Dataset::kUnknown) return Dataset::kUnknown;
    return std::min(total, count);
  }
};

struct Skip final : Dataset::Node {
  NodePtr source;
  int64_t count = 0;

  struct SkipCursor final : Cursor {
    std::unique_ptr<Cursor> input;
    int64_t to_skip;
    std::optional<Element> next() override {
      for (; to_skip > 0; --to_skip) {
        if (!input->next()) {
          to_skip = 0;
          return std::nullopt;
        }
      }
      return input->next();
    }
  };

  std::unique_ptr<Cursor> open() const override {
    auto cursor = std::make_unique<SkipCursor>();
    cursor->input = source->open();
    cursor->to_skip = count;
    return cursor;
  }
  int64_t cardinality() const override {
    const int64_t total = source->cardinality();
    return total < 0 ? total : std::max<int64_t>(0, total - count);
  }
};

struct Repeat final : Dataset::Node {
  NodePtr source;
  int64_t count = -1;

  struct RepeatCursor final : Cursor {
    const Dataset::Node& source;
    int64_t passes_left;
    std::unique_ptr<Cursor> input;
    bool yielded_this_pass = false;

    RepeatCursor(const Dataset::Node& node, int64_t count) : source(node), passes_left(count) {}

    std::optional<Element> next() override {
      while (true) {
        if (!input) {
          if (passes_left == 0) return std::nullopt;
          if (passes_left > 0) --passes_left;
          input = source.open();
          yielded_this_pass = false;
        }
        if (std::optional<Element> element = input->next()) {
          yielded_this_pass = true;
          return element;
        }
        input.reset();
        // An empty dataset repeated forever is empty, not an endless loop.
        if (!yielded_this_pass) return std::nullopt;
      }
    }
  };

  std::unique_ptr<Cursor> open() const override { return std::make_unique<RepeatCursor>(*source, count); }
  int64_t cardinality() const override {
    const int64_t total = source->cardinality();
    if (total == 0) return 0;
    if (count < 0) return Dataset::kInfinite;
    return total < 0 ? total : total * count;
  }
};

void check_count(int64_t value, const char* operation, const char* name, int64_t minimum) {
  if (value < minimum) {
    throw Error(fmt::format("Dataset.{}: expected {} >= {}, received {}", operation, name, minimum, value));
  }
}

// --- the ordered worker pool of map and prefetch ---

class ParallelCursor final : public Cursor {
 public:
  ParallelCursor(std::unique_ptr<Cursor> source, std::function<Element(Element)> function, int threads,
                 int64_t capacity)
      : source_(std::move(source)),
        function_(std::move(function)),
        capacity_(std::max<int64_t>(capacity, 1)),
        flush_mode_(tkeras::detail::flush_mode()) {
    workers_.reserve(static_cast<size_t>(threads));
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }

  ~ParallelCursor() override {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    space_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  ParallelCursor(const ParallelCursor&) = delete;
  ParallelCursor& operator=(const ParallelCursor&) = delete;

  std::optional<Element> next() override {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return results_.contains(consumed_) || (end_ >= 0 && consumed_ >= end_); });
    auto found = results_.find(consumed_);
    if (found == results_.end()) return std::nullopt;
    Result result = std::move(found->second);
    results_.erase(found);
    ++consumed_;
    lock.unlock();
    space_.notify_all();
    if (result.error) std::rethrow_exception(result.error);
    return std::move(result.element);
  }

 private:
  struct Result {
    std::optional<Element> element;
    std::exception_ptr error;
  };

  void work() {
    const torch::NoGradGuard no_grad;
    pipeline::use_one_intra_op_thread();
    tkeras::detail::set_flush_mode(flush_mode_);  // subnormals as on the thread that opened the pass (fit's: flushed)
    while (true) {
      int64_t sequence = 0;
      std::optional<Element> element;
      {
        // Reading the source is serial, so that sequence numbers follow its order.
        const std::lock_guard reading(source_mutex_);
        {
          std::unique_lock lock(mutex_);
          space_.wait(lock, [&] { return stopping_ || end_ >= 0 || assigned_ - consumed_ < capacity_; });
          if (stopping_ || end_ >= 0) return;
          sequence = assigned_++;
        }
        try {
          element = source_->next();
        } catch (...) {
          finish(sequence, std::current_exception());
          return;
        }
        if (!element) {
          finish(sequence, nullptr);
          return;
        }
      }
      Result result;
      if (function_) {
        try {
          result.element = function_(std::move(*element));
        } catch (...) {
          result.error = std::current_exception();
        }
      } else {
        result.element = std::move(element);
      }
      {
        const std::lock_guard lock(mutex_);
        results_.emplace(sequence, std::move(result));
      }
      ready_.notify_all();
    }
  }

  // The source ended (or failed) at `sequence`: the pass ends there, after the error if any.
  void finish(int64_t sequence, std::exception_ptr error) {
    {
      const std::lock_guard lock(mutex_);
      end_ = error ? sequence + 1 : sequence;
      if (error) results_.emplace(sequence, Result{std::nullopt, std::move(error)});
    }
    ready_.notify_all();
    space_.notify_all();
  }

  std::unique_ptr<Cursor> source_;
  std::function<Element(Element)> function_;
  int64_t capacity_;
  unsigned flush_mode_;
  std::mutex source_mutex_;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::map<int64_t, Result> results_;
  int64_t assigned_ = 0, consumed_ = 0, end_ = -1;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

int autotuned_threads() { return static_cast<int>(std::max(1U, std::thread::hardware_concurrency())); }

}  // namespace

namespace pipeline {

void use_one_intra_op_thread() {
  // LibTorch's OpenMP runs an op's parallel loop with the calling thread's own thread count (its
  // OpenMP nthreads ICV), which at::set_num_threads would change for the whole process. So: let
  // LibTorch initialise this thread's count first (it would reset it later otherwise), then set
  // it to 1 for this thread only. Without OpenMP in the process there is nothing to do.
  (void)at::get_num_threads();
  if (omp_set_num_threads != nullptr) omp_set_num_threads(1);
}

std::unique_ptr<Cursor> parallel(std::unique_ptr<Cursor> source, std::function<Element(Element)> function, int threads,
                                 int64_t capacity) {
  return std::make_unique<ParallelCursor>(std::move(source), std::move(function), threads, capacity);
}

uint64_t draw_seed() {
  auto generator = at::detail::getDefaultCPUGenerator();
  const std::lock_guard lock(generator.mutex());
  return generator.get<at::CPUGeneratorImpl>()->random64();
}

}  // namespace pipeline

// --- Dataset ---

Dataset Dataset::from_tensor_slices(Data x, Data y, Data sample_weight) {
  if (!x.defined()) {
    throw Error(
        "Dataset.from_tensor_slices: expected x as a tensor of shape [N, ...] (or a list or map of them), "
        "received none");
  }
  const std::string first_label = x.list() ? part_name(x, "x", 0) : std::string("x");
  const torch::Tensor& first = x.tensors().front();
  const auto check = [&](const Data& part, const char* name) {
    for (size_t i = 0; i < part.size(); ++i) {
      const torch::Tensor& tensor = part.tensors()[i];
      const std::string label = part.list() ? part_name(part, name, i) : std::string(name);
      if (!tensor.defined() || tensor.dim() < 1) {
        throw Error(fmt::format("Dataset.from_tensor_slices: expected {} as a tensor of shape [N, ...], received {}",
                                label, tensor.defined() ? format_shape(tensor.sizes().vec()) : "an undefined tensor"));
      }
      if (tensor.size(0) != first.size(0)) {
        throw Error(fmt::format(
            "Dataset.from_tensor_slices: expected {} and {} with the same first dimension, received {} of shape {} "
            "and {} of shape {}",
            first_label, label, first_label, format_shape(first.sizes().vec()), label,
            format_shape(tensor.sizes().vec())));
      }
    }
  };
  check(x, "x");
  if (y.defined()) check(y, "y");
  if (sample_weight.defined()) {
    if (!y.defined()) {
      throw Error("Dataset.from_tensor_slices: expected sample_weight with y, received sample_weight without y");
    }
    check(sample_weight, "sample_weight");
  }
  auto node = std::make_shared<TensorSlices>();
  node->x = std::move(x);
  if (y.defined()) node->y = std::move(y);
  if (sample_weight.defined()) node->sample_weight = std::move(sample_weight);
  return Dataset(std::move(node));
}

Dataset Dataset::from_generator(std::function<Generator()> make, int64_t cardinality) {
  if (!make) throw Error("Dataset.from_generator: expected a function that returns a generator, received none");
  if (cardinality < kUnknown) {
    throw Error(fmt::format("Dataset.from_generator: expected a cardinality >= 0, kInfinite or kUnknown, received {}",
                            cardinality));
  }
  auto node = std::make_shared<FromGenerator>();
  node->make = std::move(make);
  node->count = cardinality;
  return Dataset(std::move(node));
}

Dataset Dataset::shuffle(int64_t buffer_size, ShuffleOptions options) const {
  check_count(buffer_size, "shuffle", "buffer_size", 1);
  auto node = std::make_shared<Shuffle>();
  node->source = node_;
  node->buffer_size = buffer_size;
  // (Not value_or: a given seed must leave LibTorch's generator untouched.)
  node->seed = options.seed ? *options.seed : pipeline::draw_seed();
  node->reshuffle = options.reshuffle_each_iteration;
  return Dataset(std::move(node));
}

Dataset Dataset::batch(int64_t batch_size, BatchOptions options) const {
  check_count(batch_size, "batch", "batch_size", 1);
  auto node = std::make_shared<Batch>();
  node->source = node_;
  node->size = batch_size;
  node->drop_remainder = options.drop_remainder;
  return Dataset(std::move(node));
}

Dataset Dataset::map(std::function<Element(Element)> function, MapOptions options) const {
  if (!function) throw Error("Dataset.map: expected a function, received none");
  if (options.num_parallel_calls != kAutotune && options.num_parallel_calls < 1) {
    throw Error(fmt::format("Dataset.map: expected num_parallel_calls >= 1 or kAutotune, received {}",
                            options.num_parallel_calls));
  }
  auto node = std::make_shared<Map>();
  node->source = node_;
  node->function = std::move(function);
  node->threads = options.num_parallel_calls == kAutotune ? autotuned_threads() : options.num_parallel_calls;
  return Dataset(std::move(node));
}

Dataset Dataset::cache() const {
  auto node = std::make_shared<Cache>();
  node->source = node_;
  return Dataset(std::move(node));
}

Dataset Dataset::prefetch(int64_t buffer_size) const {
  if (buffer_size != kAutotune) check_count(buffer_size, "prefetch", "buffer_size", 1);
  auto node = std::make_shared<Prefetch>();
  node->source = node_;
  node->buffer_size = buffer_size == kAutotune ? 2 : buffer_size;
  return Dataset(std::move(node));
}

Dataset Dataset::take(int64_t count) const {
  check_count(count, "take", "count", -1);
  auto node = std::make_shared<Take>();
  node->source = node_;
  node->count = count;
  return Dataset(std::move(node));
}

Dataset Dataset::skip(int64_t count) const {
  check_count(count, "skip", "count", 0);
  auto node = std::make_shared<Skip>();
  node->source = node_;
  node->count = count;
  return Dataset(std::move(node));
}

Dataset Dataset::repeat(int64_t count) const {
  check_count(count, "repeat", "count", -1);
  auto node = std::make_shared<Repeat>();
  node->source = node_;
  node->count = count;
  return Dataset(std::move(node));
}

int64_t Dataset::cardinality() const { return node_->cardinality(); }

Dataset::Iterator Dataset::begin() const { return Iterator(node_->open()); }

Element Dataset::concatenated() const {
  if (cardinality() == kInfinite) throw Error("Dataset: cannot read an infinite dataset (repeat()) into memory");
  std::vector<torch::Tensor> xs, ys, weights;
  std::vector<Data> inputs, targets, sample_weights;
  std::vector<std::string> text;
  auto row = [](const torch::Tensor& part) { return part.dim() == 0 ? part.unsqueeze(0) : part; };
  for (Iterator it = begin(); it != end(); ++it) {
    text.insert(text.end(), it->text.begin(), it->text.end());
    if (it->x.defined()) xs.push_back(row(it->x));
    if (it->y.defined()) ys.push_back(row(it->y));
    if (it->sample_weight.defined()) weights.push_back(row(it->sample_weight));
    inputs.push_back(it->inputs.map(row));
    targets.push_back(it->targets.map(row));
    sample_weights.push_back(it->sample_weights.map(row));
  }
  if (inputs.empty()) throw Error("Dataset: expected at least one element, received an empty dataset");
  auto joined = [](const std::vector<torch::Tensor>& parts) {
    return parts.empty() ? torch::Tensor() : torch::cat(parts);
  };
  const auto cat = [](std::vector<torch::Tensor>& parts, const std::string& /*name*/) { return torch::cat(parts); };
  return {.x = joined(xs),
          .y = joined(ys),
          .sample_weight = joined(weights),
          .text = std::move(text),
          .inputs = join_structured(inputs, "inputs", "Dataset", cat),
          .targets = join_structured(targets, "targets", "Dataset", cat),
          .sample_weights = join_structured(sample_weights, "sample_weights", "Dataset", cat)};
}

// --- Iterator ---

Dataset::Iterator::Iterator() = default;
Dataset::Iterator::Iterator(std::unique_ptr<Cursor> cursor) : cursor_(std::move(cursor)) {}
Dataset::Iterator::Iterator(Iterator&&) noexcept = default;
Dataset::Iterator& Dataset::Iterator::operator=(Iterator&&) noexcept = default;
Dataset::Iterator::~Iterator() = default;

void Dataset::Iterator::fetch() const {
  if (fetched_) return;
  current_ = cursor_ ? cursor_->next() : std::nullopt;
  fetched_ = true;
  // At the end, the pass's stages (and their worker threads) go at once.
  if (!current_) cursor_.reset();
}

const Element& Dataset::Iterator::operator*() const {
  fetch();
  if (!current_) throw Error("Dataset: read past the end of a pass");
  return *current_;
}

Dataset::Iterator& Dataset::Iterator::operator++() {
  fetch();
  fetched_ = false;
  current_.reset();
  return *this;
}

bool Dataset::Iterator::operator==(std::default_sentinel_t) const {
  fetch();
  return !current_.has_value();
}

std::optional<Element> Dataset::Iterator::next() {
  fetch();
  fetched_ = false;
  return std::exchange(current_, std::nullopt);
}

}  // namespace tkeras::data
