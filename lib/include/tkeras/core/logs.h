// Logs: the flat, sorted name -> number maps that fit, evaluate and callbacks exchange.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace tkeras {

/// Metric values by name, as Keras's `logs` dict: `{"accuracy": 0.93, "loss": 0.21}`.
///
/// Sorted by name; values are plain numbers read from the device once per epoch (or per
/// batch only when a callback asks for batch logs). Only the trainer writes them.
using Logs = std::map<std::string, double, std::less<>>;

/// Returns `logs` with every key prefixed, as Keras does for validation values
/// (`with_prefix(val_logs, "val_")` turns `loss` into `val_loss`).
Logs with_prefix(const Logs& logs, std::string_view prefix);

/// Returns a copy of `logs` with the entries of `more` added (overwriting equal keys).
Logs merged(Logs logs, const Logs& more);

}  // namespace tkeras
