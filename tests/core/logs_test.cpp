// Tests for Logs and its helpers.
#include "tkeras/core/logs.h"

#include <doctest/doctest.h>

TEST_CASE("with_prefix turns training logs into val_ logs") {
  const tkeras::Logs logs{{"accuracy", 0.5}, {"loss", 1.25}};
  const tkeras::Logs val = tkeras::with_prefix(logs, "val_");
  CHECK(val == tkeras::Logs{{"val_accuracy", 0.5}, {"val_loss", 1.25}});
}

TEST_CASE("merged adds the entries of the second logs, overwriting equal keys") {
  const tkeras::Logs merged = tkeras::merged({{"loss", 1.0}, {"accuracy", 0.1}}, {{"loss", 2.0}, {"val_loss", 3.0}});
  CHECK(merged == tkeras::Logs{{"accuracy", 0.1}, {"loss", 2.0}, {"val_loss", 3.0}});
}

TEST_CASE("logs iterate in sorted key order, as Keras prints them") {
  const tkeras::Logs logs{{"val_loss", 0}, {"loss", 0}, {"accuracy", 0}};
  std::string order;
  for (const auto& [key, value] : logs) order += key + " ";
  CHECK(order == "accuracy loss val_loss ");
}
