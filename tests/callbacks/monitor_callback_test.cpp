// Tests for MonitorCallback: Keras's direction inference, improvement test and missing-value warning.
#include "tkeras/callbacks/monitor_callback.h"

#include <iostream>
#include <sstream>

#include <doctest/doctest.h>

#include "tkeras/core/error.h"

namespace {

// The smallest callback that watches a value.
class Watcher : public tkeras::callbacks::MonitorCallback {
 public:
  Watcher(std::string monitor, std::string_view mode, double min_delta = 0.0)
      : MonitorCallback("Watcher", std::move(monitor), mode, min_delta) {}
  using MonitorCallback::monitor_value;
};

}  // namespace

TEST_CASE("auto mode infers Keras's direction from the monitored name") {
  CHECK_FALSE(Watcher("val_loss", "auto").improves_upwards());
  CHECK(Watcher("val_accuracy", "auto").improves_upwards());
  CHECK(Watcher("acc", "auto").improves_upwards());
  CHECK_FALSE(Watcher("mae", "auto").improves_upwards());
  CHECK_FALSE(Watcher("val_mean_squared_error", "auto").improves_upwards());
  CHECK(Watcher("score", "max").improves_upwards());
  CHECK_THROWS_WITH_AS(Watcher("score", "auto"),
                       "Watcher: cannot tell whether \"score\" should go up or down; pass mode \"max\" or \"min\"",
                       tkeras::Error);
  CHECK_THROWS_WITH_AS(Watcher("loss", "lowest"),
                       "Watcher: expected mode \"auto\", \"min\" or \"max\", received \"lowest\"", tkeras::Error);
}

TEST_CASE("an improvement must beat the reference by more than min_delta, and anything beats none") {
  const Watcher down("loss", "min", -0.1);  // min_delta counts by its absolute value, as Keras's
  CHECK(down.is_improvement(1.0, std::nullopt));
  CHECK(down.is_improvement(0.85, 1.0));
  CHECK_FALSE(down.is_improvement(0.95, 1.0));
  const Watcher up("accuracy", "auto", 0.1);
  CHECK(up.is_improvement(0.85, 0.7));
  CHECK_FALSE(up.is_improvement(0.75, 0.7));
}

TEST_CASE("a missing monitored value is a warning listing the available keys") {
  const Watcher watcher("val_loss", "auto");
  std::ostringstream captured;
  std::streambuf* const previous = std::cerr.rdbuf(captured.rdbuf());
  const auto value = watcher.monitor_value({{"loss", 1.0}, {"accuracy", 0.5}}, "watching is conditioned");
  std::cerr.rdbuf(previous);
  CHECK_FALSE(value.has_value());
  CHECK(captured.str() ==
        "Watcher: warning: watching is conditioned on metric \"val_loss\" which is not available. "
        "Available metrics are: accuracy,loss\n");
  CHECK(watcher.monitor_value({{"val_loss", 0.25}}, "watching") == 0.25);
}
