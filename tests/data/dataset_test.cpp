// Tests for Dataset: its sources, each chained operation, seeds, worker threads and errors.
#include "tkeras/data/dataset.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"
#include "tkeras/core/random.h"

using tkeras::data::Dataset;
using tkeras::data::Element;

namespace {

// The x values of a pass, as integers (elements are scalars or batches of them).
std::vector<int64_t> values(const Dataset& dataset) {
  std::vector<int64_t> out;
  for (const Element& element : dataset) {
    const torch::Tensor flat = element.x.reshape({-1}).to(torch::kLong);
    for (int64_t i = 0; i < flat.size(0); ++i) out.push_back(flat[i].item<int64_t>());
  }
  return out;
}

std::vector<int64_t> range(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(i);
  return out;
}

Dataset numbers(int64_t n) { return Dataset::from_tensor_slices(torch::arange(n), torch::arange(n) * 10); }

}  // namespace

TEST_CASE("from_tensor_slices gives each row with its label, and knows how many there are") {
  const Dataset dataset = numbers(5);
  CHECK(dataset.cardinality() == 5);
  int64_t i = 0;
  for (const Element& element : dataset) {
    CHECK(element.x.dim() == 0);
    CHECK(element.x.item<int64_t>() == i);
    CHECK(element.y.item<int64_t>() == 10 * i);
    ++i;
  }
  CHECK(i == 5);
  CHECK(values(Dataset::from_tensor_slices(torch::arange(3))) == range(3));
}

TEST_CASE("from_tensor_slices refuses a scalar and mismatched lengths") {
  CHECK_THROWS_WITH_AS(Dataset::from_tensor_slices(torch::tensor(1.0)),
                       doctest::Contains("expected x as a tensor of shape [N, ...], received []"), tkeras::Error);
  CHECK_THROWS_WITH_AS(Dataset::from_tensor_slices(torch::zeros({4, 2}), torch::zeros({3})),
                       doctest::Contains("received x of shape [4, 2] and y of shape [3]"), tkeras::Error);
}

TEST_CASE("batch stacks elements and keeps a short last batch unless drop_remainder is set") {
  const Dataset batched = numbers(10).map([](Element e) { return e; }).batch(4);
  CHECK(batched.cardinality() == 3);
  std::vector<int64_t> sizes;
  for (const Element& batch : batched) {
    sizes.push_back(batch.x.size(0));
    CHECK(torch::equal(batch.y, batch.x * 10));
  }
  CHECK(sizes == std::vector<int64_t>{4, 4, 2});
  const Dataset dropped = numbers(10).batch(4, {.drop_remainder = true});
  CHECK(dropped.cardinality() == 2);
  CHECK(values(dropped) == range(8));
}

TEST_CASE("sample weights travel with their samples through shuffle, batch and concatenated") {
  const torch::Tensor x = torch::arange(10);
  const Dataset weighted = Dataset::from_tensor_slices(x, x * 10, x.to(torch::kFloat32) / 10);
  for (const Element& batch : weighted.shuffle(10, {.seed = 3}).batch(4)) {
    REQUIRE(batch.sample_weight.defined());
    CHECK(batch.sample_weight.size(0) == batch.x.size(0));
    CHECK(torch::equal(batch.sample_weight, batch.x.to(torch::kFloat32) / 10));
  }
  const Element all = weighted.batch(3).concatenated();
  CHECK(torch::equal(all.sample_weight, x.to(torch::kFloat32) / 10));
  CHECK_FALSE(numbers(4).batch(2).concatenated().sample_weight.defined());
  // A batch whose first element has weights needs them on every element.
  const Dataset mixed = Dataset::from_generator([] {
    return [i = 0]() mutable -> std::optional<Element> {
      if (i == 2) return std::nullopt;
      return Element{torch::zeros({1}), torch::zeros({}), i++ == 0 ? torch::ones({}) : torch::Tensor()};
    };
  });
  CHECK_THROWS_WITH_AS(mixed.batch(2).concatenated(), doctest::Contains("sample_weight"), tkeras::Error);
}

TEST_CASE("inputs, targets and weights by name travel together through shuffle, batch and concatenated") {
  const torch::Tensor a = torch::arange(10);
  const Dataset named =
      Dataset::from_tensor_slices({{"image", a}, {"meta", a * 2}}, {{"label", a * 10}, {"size", a + 1}},
                                  {{"label", a.to(torch::kFloat32)}, {"size", torch::ones({10})}});
  CHECK(named.cardinality() == 10);
  const Element first = *named.begin();
  CHECK_FALSE(first.x.defined());
  CHECK(first.inputs.names() == std::vector<std::string>{"image", "meta"});
  CHECK(first.inputs["meta"].item<int64_t>() == 0);
  for (const Element& batch : named.shuffle(10, {.seed = 4}).batch(4)) {
    CHECK(torch::equal(batch.inputs["meta"], batch.inputs["image"] * 2));
    CHECK(torch::equal(batch.targets["label"], batch.inputs["image"] * 10));
    CHECK(torch::equal(batch.sample_weights["label"], batch.inputs["image"].to(torch::kFloat32)));
    CHECK(batch.sample_weights["size"].size(0) == batch.inputs["image"].size(0));
  }
  const Element all = named.batch(3).concatenated();
  CHECK(torch::equal(all.inputs["image"], a));
  CHECK(torch::equal(all.targets["size"], a + 1));
  // By position, the same.
  const Element listed = *Dataset::from_tensor_slices({a, a * 2}, a).batch(4).begin();
  CHECK(listed.inputs.list());
  CHECK_FALSE(listed.inputs.named());
  CHECK(torch::equal(listed.inputs[1], torch::arange(4) * 2));
  CHECK(torch::equal(listed.y, torch::arange(4)));
}

TEST_CASE("elements of different structures in one batch, or slices of different lengths, are refused by name") {
  CHECK_THROWS_WITH_AS(Dataset::from_tensor_slices({{"image", torch::zeros({4})}, {"meta", torch::zeros({3})}}),
                       doctest::Contains("received x[\"image\"] of shape [4] and x[\"meta\"] of shape [3]"),
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(Dataset::from_tensor_slices({{"image", torch::zeros({4})}}, {}, torch::ones({4})),
                       doctest::Contains("sample_weight without y"), tkeras::Error);
  const Dataset mixed = Dataset::from_generator([] {
    return [i = 0]() mutable -> std::optional<Element> {
      if (i == 2) return std::nullopt;
      Element element;
      element.inputs =
          i++ == 0 ? tkeras::Data{{"image", torch::zeros({1})}} : tkeras::Data{{"meta", torch::zeros({1})}};
      return element;
    };
  });
  CHECK_THROWS_WITH_AS(mixed.batch(2).concatenated(),
                       doctest::Contains("element 1 has inputs {meta}, but the first element has {image}"),
                       tkeras::Error);
}

TEST_CASE("batches of tensors in order are views of them, not copies") {
  const torch::Tensor x = torch::randn({9, 3});
  const Dataset dataset = Dataset::from_tensor_slices(x).batch(4);
  int64_t start = 0;
  for (const Element& batch : dataset) {
    CHECK(batch.x.data_ptr<float>() == x[start].data_ptr<float>());
    start += batch.x.size(0);
  }
  CHECK(start == 9);
}

TEST_CASE("batching elements of different shapes raises an error naming both shapes") {
  const Dataset ragged = Dataset::from_generator([] {
    return [i = 0]() mutable -> std::optional<Element> {
      if (i == 3) return std::nullopt;
      return Element{torch::zeros({++i}), torch::zeros({})};
    };
  });
  auto pass = ragged.batch(3).begin();
  CHECK_THROWS_WITH_AS(*pass, doctest::Contains("received x float32 [2] after x float32 [1] (element 1 of the batch)"),
                       tkeras::Error);
}

TEST_CASE("shuffle with a seed gives a permutation, the same one for the same seed, and a new one per pass") {
  const Dataset shuffled = numbers(50).shuffle(50, {.seed = 7});
  const std::vector<int64_t> first = values(shuffled);
  const std::vector<int64_t> second = values(shuffled);
  CHECK(std::set<int64_t>(first.begin(), first.end()).size() == 50);
  CHECK(first != range(50));
  CHECK(second != first);
  // Another dataset with the same seed makes the same passes.
  const Dataset again = numbers(50).shuffle(50, {.seed = 7});
  CHECK(values(again) == first);
  CHECK(values(again) == second);
  // Without reshuffling every pass is the same.
  const Dataset fixed = numbers(50).shuffle(50, {.seed = 7, .reshuffle_each_iteration = false});
  CHECK(values(fixed) == values(fixed));
  CHECK(values(numbers(50).shuffle(50, {.seed = 8})) != first);
}

TEST_CASE("a shuffle buffer of one keeps the order, and a small buffer only moves elements a little") {
  CHECK(values(numbers(20).shuffle(1, {.seed = 3})) == range(20));
  const std::vector<int64_t> local = values(numbers(100).shuffle(4, {.seed = 3}));
  // The element given out at position i was read at most i + 3 elements in.
  for (size_t i = 0; i < local.size(); ++i) CHECK(local[i] <= static_cast<int64_t>(i) + 3);
}

TEST_CASE("set_random_seed makes an unseeded shuffle repeatable") {
  tkeras::utils::set_random_seed(11);
  const std::vector<int64_t> first = values(numbers(30).shuffle(30));
  tkeras::utils::set_random_seed(11);
  CHECK(values(numbers(30).shuffle(30)) == first);
}

TEST_CASE("map applies a function to every element, without gradients") {
  const Dataset doubled = numbers(6).map([](Element e) {
    CHECK_FALSE(torch::GradMode::is_enabled());
    e.x = e.x * 2;
    return e;
  });
  CHECK(doubled.cardinality() == 6);
  CHECK(values(doubled) == std::vector<int64_t>{0, 2, 4, 6, 8, 10});
}

TEST_CASE("map on worker threads runs in parallel and keeps the elements' order") {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  const Dataset slow = numbers(40).map(
      [&](Element e) {
        {
          const std::lock_guard lock(mutex);
          threads.insert(std::this_thread::get_id());
        }
        // Later elements finish first, so order must be restored.
        std::this_thread::sleep_for(std::chrono::microseconds(200 * (40 - e.x.item<int64_t>()) % 3000));
        return e;
      },
      {.num_parallel_calls = 3});
  CHECK(values(slow) == range(40));
  CHECK(threads.size() >= 2);
  CHECK(threads.count(std::this_thread::get_id()) == 0);
}

TEST_CASE("an error inside a worker reaches the reader at that element") {
  const Dataset failing = numbers(10).map(
      [](Element e) {
        if (e.x.item<int64_t>() == 4) throw tkeras::Error("cannot decode element 4");
        return e;
      },
      {.num_parallel_calls = 2});
  std::vector<int64_t> seen;
  auto pass = failing.begin();
  auto read = [&] {
    while (std::optional<Element> element = pass.next()) seen.push_back(element->x.item<int64_t>());
  };
  CHECK_THROWS_WITH_AS(read(), "cannot decode element 4", tkeras::Error);
  CHECK(seen == range(4));
}

TEST_CASE("an error in the source of parallel workers reaches the reader at that element, not an early end") {
  // The inner map reads serially inside the outer map's workers: its error ends the source there.
  const Dataset failing = numbers(10)
                              .map([](Element e) {
                                if (e.x.item<int64_t>() == 4) throw tkeras::Error("cannot read element 4");
                                return e;
                              })
                              .map([](Element e) { return e; }, {.num_parallel_calls = 2});
  std::vector<int64_t> seen;
  auto pass = failing.begin();
  auto read = [&] {
    while (std::optional<Element> element = pass.next()) seen.push_back(element->x.item<int64_t>());
  };
  CHECK_THROWS_WITH_AS(read(), "cannot read element 4", tkeras::Error);
  CHECK(seen == range(4));
}

TEST_CASE("prefetch gives the same elements, and a pass left unfinished stops its threads") {
  const Dataset prefetched = numbers(25).batch(4).prefetch(3);
  CHECK(values(prefetched) == range(25));
  CHECK(values(numbers(25).prefetch()) == range(25));
  // An endless pipeline read a little and dropped: its workers stop rather than hang.
  const Dataset endless = numbers(5).repeat().map([](Element e) { return e; }, {.num_parallel_calls = 2}).prefetch(2);
  for (int round = 0; round < 3; ++round) {
    auto pass = endless.begin();
    CHECK(pass.next()->x.item<int64_t>() == 0);
    CHECK(pass.next()->x.item<int64_t>() == 1);
  }
}

TEST_CASE("cache runs the stages before it once, after a complete pass") {
  auto calls = std::make_shared<std::atomic<int>>(0);
  const Dataset cached = numbers(6)
                             .map([calls](Element e) {
                               ++*calls;
                               return e;
                             })
                             .cache();
  // An unfinished pass caches nothing.
  {
    auto pass = cached.begin();
    pass.next();
  }
  CHECK(*calls == 1);
  CHECK(values(cached) == range(6));
  CHECK(*calls == 7);
  CHECK(values(cached) == range(6));
  CHECK(values(cached.shuffle(6, {.seed = 1})).size() == 6);
  CHECK(*calls == 7);
}

TEST_CASE("take, skip and repeat cut and extend the elements, and their cardinality follows") {
  CHECK(values(numbers(10).take(3)) == range(3));
  CHECK(numbers(10).take(3).cardinality() == 3);
  CHECK(numbers(2).take(3).cardinality() == 2);
  CHECK(numbers(10).take(-1).cardinality() == 10);
  CHECK(values(numbers(5).skip(3)) == std::vector<int64_t>{3, 4});
  CHECK(numbers(5).skip(7).cardinality() == 0);
  CHECK(values(numbers(5).skip(7)).empty());
  CHECK(values(numbers(3).repeat(2)) == std::vector<int64_t>{0, 1, 2, 0, 1, 2});
  CHECK(numbers(3).repeat(2).cardinality() == 6);
  CHECK(numbers(3).repeat().cardinality() == Dataset::kInfinite);
  CHECK(values(numbers(3).repeat().take(7)) == std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0});
  CHECK(numbers(3).repeat().take(7).cardinality() == 7);
  CHECK(values(numbers(0).repeat()).empty());
  CHECK(numbers(10).batch(3).skip(1).cardinality() == 3);
}

TEST_CASE("from_generator makes a new generator for each pass and does not know its length") {
  int passes = 0;
  const Dataset generated = Dataset::from_generator([&passes] {
    ++passes;
    return [i = int64_t{0}]() mutable -> std::optional<Element> {
      if (i == 4) return std::nullopt;
      return Element{torch::tensor(i++), {}};
    };
  });
  CHECK(generated.cardinality() == Dataset::kUnknown);
  CHECK(values(generated) == range(4));
  CHECK(values(generated.batch(3)) == range(4));
  CHECK(passes == 2);
  CHECK(generated.batch(3).cardinality() == Dataset::kUnknown);
  CHECK(Dataset::from_generator([] { return tkeras::data::Generator([] { return std::nullopt; }); }, 0).cardinality() ==
        0);
}

TEST_CASE("bad arguments to the operations are refused with what was expected") {
  const Dataset dataset = numbers(4);
  CHECK_THROWS_WITH_AS(dataset.batch(0), "Dataset.batch: expected batch_size >= 1, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(dataset.shuffle(0), "Dataset.shuffle: expected buffer_size >= 1, received 0", tkeras::Error);
  CHECK_THROWS_WITH_AS(dataset.take(-2), "Dataset.take: expected count >= -1, received -2", tkeras::Error);
  CHECK_THROWS_WITH_AS(dataset.skip(-1), "Dataset.skip: expected count >= 0, received -1", tkeras::Error);
  CHECK_THROWS_WITH_AS(dataset.map([](Element e) { return e; }, {.num_parallel_calls = 0}),
                       doctest::Contains("expected num_parallel_calls >= 1 or kAutotune, received 0"), tkeras::Error);
  CHECK_THROWS_WITH_AS(dataset.repeat().concatenated(), doctest::Contains("cannot read an infinite dataset"),
                       tkeras::Error);
}

TEST_CASE("concatenated reads a pass back into tensors, undoing the batching") {
  const torch::Tensor x = torch::randn({7, 2});
  const torch::Tensor y = torch::arange(7);
  const Element all = Dataset::from_tensor_slices(x, y).shuffle(7, {.seed = 2}).batch(3).concatenated();
  CHECK(all.x.sizes() == x.sizes());
  CHECK(torch::equal(all.x, x.index_select(0, all.y)));
}

TEST_CASE("a seeded shuffle leaves LibTorch's default generator as it was") {
  tkeras::utils::set_random_seed(5);
  const torch::Tensor expected = torch::rand({3});
  tkeras::utils::set_random_seed(5);
  (void)numbers(10).shuffle(10, {.seed = 1});
  CHECK(torch::equal(torch::rand({3}), expected));
}
