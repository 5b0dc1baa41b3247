// Dataset: a stream of (x, y) elements that fit, evaluate and predict read batch by batch, as
// tf.data.Dataset is in Keras.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tkeras/data/data.h"

namespace tkeras::data {

/// One element of a dataset: one sample before `batch`, one batch after it, as Keras's
/// `(x, y, sample_weight)` tuples. A model of several inputs or outputs reads lists or maps of
/// tensors from `inputs`, `targets` and `sample_weights`, as Keras reads tuples or dicts there.
struct Element {
  torch::Tensor x{};  ///< The inputs; undefined when `inputs` holds them.
  /// The targets; undefined in a dataset of inputs only (for `predict`) or when `targets` holds
  /// them.
  torch::Tensor y{};
  /// The sample's weight (a batch's: `[N]`) in every output's loss and weighted metrics;
  /// undefined: every sample weighs 1, or `sample_weights` holds weights per output.
  torch::Tensor sample_weight{};
  /// Text, where Keras has a string tensor (LibTorch's tensors hold no strings): one string per
  /// sample, so one before `batch` and the batch's after it. `text_dataset_from_directory` fills
  /// it; map it to a tensor `x` before `fit`. Default: empty.
  std::vector<std::string> text{};
  /// A model of several inputs' inputs, as a list or by input name (Keras's tuple or dict `x`).
  /// Default: none (`x` holds them).
  Data inputs{};
  /// A model of several outputs' targets, as a list or by output name. Default: none (`y`).
  Data targets{};
  /// Sample weights per output, as a list or by output name. Default: none (`sample_weight`).
  Data sample_weights{};
};

/// A function that yields elements one by one, then `std::nullopt` at the end.
using Generator = std::function<std::optional<Element>()>;

/// The options of `Dataset::shuffle`.
struct ShuffleOptions {
  /// Seed of the shuffle order. Default: none, which draws one from LibTorch's default generator
  /// when the dataset is made, so that `tkeras::utils::set_random_seed` makes it repeatable.
  std::optional<uint64_t> seed;
  /// Draw a new order on each pass (each epoch), as tf.data's default. Default: true.
  bool reshuffle_each_iteration = true;
};

/// The options of `Dataset::batch`.
struct BatchOptions {
  /// Drop a last batch smaller than `batch_size`. Default: false.
  bool drop_remainder = false;
};

/// The options of `Dataset::map`.
struct MapOptions {
  /// Worker threads that run the function, in parallel and ahead of the consumer; elements keep
  /// their order. 1 runs it on the consumer's thread; `Dataset::kAutotune` uses one thread per
  /// core. On a worker, LibTorch's ops run on that thread alone (as in PyTorch's DataLoader
  /// workers): the workers are the parallelism. Default: 1.
  int num_parallel_calls = 1;
};

/// A stream of elements, as Keras users know `tf.data.Dataset`: made from tensors, from a
/// generator, or by a loader such as `image_dataset_from_directory`, and chained with
/// `shuffle`, `batch`, `map`, `cache`, `prefetch`, `take`, `skip` and `repeat`. Each operation
/// returns a new dataset and leaves its input as it was; copies share their pipeline.
///
/// A dataset is read pass by pass: each `begin()` (each epoch of `fit`) starts a new pass from
/// the first element. With the same seeds, passes give the same elements in the same order.
///
/// Example:
/// ```
/// auto train = tkeras::data::Dataset::from_tensor_slices(x_train, y_train)
///                  .shuffle(1024, {.seed = 42})
///                  .batch(32)
///                  .prefetch(tkeras::data::Dataset::kAutotune);
/// model.fit(train, {.epochs = 5, .validation_data = test});
/// ```
class Dataset {
 public:
  /// `cardinality()` of a dataset that never ends (`repeat()`), as tf.data's.
  static constexpr int64_t kInfinite = -1;
  /// `cardinality()` of a dataset whose length is not known before reading it (a generator).
  static constexpr int64_t kUnknown = -2;
  /// For `prefetch` and `MapOptions::num_parallel_calls`: let tkeras choose (tf.data.AUTOTUNE).
  static constexpr int kAutotune = -1;

  class Iterator;
  /// The internal stages of a pipeline.
  struct Node;

  /// The elements of `x` (and `y`, and `sample_weight`) along their first dimension, as
  /// `tf.data.Dataset.from_tensor_slices((x, y, sample_weight))`. `y` and `sample_weight` may be
  /// undefined. Default: neither. Each is one tensor (the element's `x`, `y`, `sample_weight`) or,
  /// for a model of several inputs or outputs, a list or a map by name (the element's `inputs`,
  /// `targets`, `sample_weights`): `from_tensor_slices({{"image", images}, {"meta", meta}},
  /// {{"label", labels}, {"size", sizes}})`.
  ///
  /// Throws `tkeras::Error` when `x` has no tensor, when a tensor is undefined or a scalar, or
  /// when the first dimensions differ.
  static Dataset from_tensor_slices(Data x, Data y = {}, Data sample_weight = {});

  /// The elements a generator yields, as `tf.data.Dataset.from_generator`. `make` is called at
  /// the start of each pass and returns the generator of that pass. `cardinality` is its number
  /// of elements if known. Default: `kUnknown`.
  static Dataset from_generator(std::function<Generator()> make, int64_t cardinality = kUnknown);

  /// The elements in a random order drawn through a buffer of `buffer_size` elements, as
  /// tf.data's: a buffer as large as the dataset shuffles it uniformly.
  Dataset shuffle(int64_t buffer_size, ShuffleOptions options = {}) const;

  /// Consecutive elements stacked into batches of `batch_size` along a new first dimension.
  /// Elements must agree in shape; otherwise reading throws `tkeras::Error` naming both shapes.
  Dataset batch(int64_t batch_size, BatchOptions options = {}) const;

  /// `function` applied to every element, as tf.data's `map`. It runs without gradients.
  Dataset map(std::function<Element(Element)> function, MapOptions options = {}) const;

  /// The elements kept in memory after the first complete pass; later passes read them from
  /// there, without running the stages before `cache` again.
  Dataset cache() const;

  /// Elements prepared by a worker thread while the consumer works on earlier ones, up to
  /// `buffer_size` ahead. Default: `kAutotune` (2 elements).
  Dataset prefetch(int64_t buffer_size = kAutotune) const;

  /// At most the first `count` elements; -1 takes all of them.
  Dataset take(int64_t count) const;

  /// All but the first `count` elements.
  Dataset skip(int64_t count) const;

  /// The dataset `count` times over, each time as a new pass; -1 repeats it forever.
  /// Default: -1.
  Dataset repeat(int64_t count = -1) const;

  /// The number of elements, or `kInfinite` or `kUnknown`, as `tf.data.Dataset.cardinality`.
  int64_t cardinality() const;

  /// Starts a pass over the elements.
  Iterator begin() const;
  /// The end of a pass.
  std::default_sentinel_t end() const { return {}; }

  /// Reads a pass into memory, all `x`, `y`, `sample_weight`, `text`, `inputs`, `targets` and
  /// `sample_weights` concatenated (each undefined or empty if the elements have none); for a
  /// batched dataset this undoes the batching. Throws `tkeras::Error` for an infinite or empty
  /// dataset.
  Element concatenated() const;

  /// A dataset over the pipeline `node` (for tkeras's own loaders and stages).
  explicit Dataset(std::shared_ptr<const Node> node) : node_(std::move(node)) {}

 private:
  std::shared_ptr<const Node> node_;
};

/// A pass over a dataset, as an input iterator: `for (const Element& batch : dataset)`. Worker
/// threads of `map` and `prefetch` stop when the iterator is destroyed. An error raised while
/// producing an element (in a generator, a `map` function or a worker) is rethrown by the call
/// that would have returned that element.
class Dataset::Iterator {
 public:
  using value_type = Element;              ///< What a pass gives.
  using difference_type = std::ptrdiff_t;  ///< As input iterators must declare.

  /// The stages of one pass (internal).
  struct Cursor {
    /// Stops what the stage runs (its worker threads).
    virtual ~Cursor() = default;
    /// The next element, or nothing at the end.
    virtual std::optional<Element> next() = 0;
  };

  /// An iterator at the end of an empty pass.
  Iterator();
  /// A pass read from `cursor` (`Dataset::begin()` makes them).
  explicit Iterator(std::unique_ptr<Cursor> cursor);
  /// Iterators move; a pass cannot be copied.
  Iterator(Iterator&&) noexcept;
  /// Moves `other`'s pass here, ending this one's.
  Iterator& operator=(Iterator&&) noexcept;
  /// Ends the pass, stopping its worker threads.
  ~Iterator();

  /// The current element. Throws `tkeras::Error` at the end of the pass.
  const Element& operator*() const;
  /// The current element's members.
  const Element* operator->() const { return &**this; }
  /// Moves to the next element.
  Iterator& operator++();
  /// Moves to the next element.
  void operator++(int) { ++*this; }
  /// Whether the pass has ended.
  bool operator==(std::default_sentinel_t) const;
  /// The current element, moved out, and the iterator moved past it; nothing at the end.
  /// Elements are produced when asked for, never one ahead.
  std::optional<Element> next();

 private:
  void fetch() const;

  mutable std::unique_ptr<Cursor> cursor_;
  mutable std::optional<Element> current_;
  mutable bool fetched_ = false;
};

}  // namespace tkeras::data
