// read_csv: a CSV file with a header into feature and label tensors.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <torch/types.h>

namespace tkeras::data {

/// The options of `read_csv`.
struct CsvOptions {
  /// The column that holds the targets. Default: none (`y` undefined).
  std::string label_column;
  /// The feature columns, in this order. Default: every column but the label, in the file's order.
  std::vector<std::string> select_columns;
  /// Column types by name: "float32", "float64", "int64" or "int32". Default: float32 for features;
  /// for the label int64 when every label is a whole number (class indices), else float32.
  std::map<std::string, std::string> column_types;
  /// The cell separator. Default: ','.
  char delimiter = ',';
};

/// What `read_csv` returns: `x` `[rows, features]`, `y` `[rows]` (undefined without a label
/// column), and the feature columns' names in `x`'s order. Make it a dataset with
/// `Dataset::from_tensor_slices(csv.x, csv.y)`.
struct CsvData {
  torch::Tensor x;                         ///< The features, one row per record.
  torch::Tensor y;                         ///< The labels, or undefined.
  std::vector<std::string> feature_names;  ///< The columns of `x`.
};

/// Reads a CSV file whose first line names its columns (RFC 4180 quoting, parsed by Debian's
/// libcsv), converting every cell to its column's type. Features of mixed types are converted to
/// the widest (float64, then float32, int64, int32), so `x` has one dtype.
///
/// Throws `tkeras::Error` for a missing or unreadable file, a file without a header or rows, a
/// label or selected column that is not in the header, a row with another number of cells than
/// the header, and a cell that is empty or not a number of its type; the error names the file,
/// the line and the column, and quotes the cell.
///
/// Example:
/// ```
/// auto csv = tkeras::data::read_csv("heart.csv", {.label_column = "target"});
/// model.fit(csv.x, csv.y, {.epochs = 20, .validation_split = 0.2});
/// ```
CsvData read_csv(const std::filesystem::path& path, const CsvOptions& options = {});

}  // namespace tkeras::data
