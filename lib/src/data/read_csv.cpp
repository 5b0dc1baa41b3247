// read_csv: libcsv splits the records; each cell is parsed as its column's type.
#include "tkeras/data/read_csv.h"

#include <csv.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace tkeras::data {
namespace {

// The records as libcsv delivers them, with the line each one starts on.
struct Records {
  std::vector<std::vector<std::string>> rows;
  std::vector<int64_t> lines;
  std::vector<std::string> current;
  int64_t line = 1;         // the line the current record starts on
  int64_t extra_lines = 0;  // line breaks inside the current record's quoted cells
};

void on_field(void* data, size_t size, void* records_ptr) {
  auto& records = *static_cast<Records*>(records_ptr);
  std::string cell(static_cast<const char*>(data), size);
  records.extra_lines += std::count(cell.begin(), cell.end(), '\n');
  records.current.push_back(std::move(cell));
}

void on_row(int /*terminator*/, void* records_ptr) {
  auto& records = *static_cast<Records*>(records_ptr);
  records.rows.push_back(std::move(records.current));
  records.lines.push_back(records.line);
  records.current.clear();
  records.line += 1 + records.extra_lines;
  records.extra_lines = 0;
}

Records parse(const std::filesystem::path& path, char delimiter) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("read_csv: cannot open \"{}\"", path.string()));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(fmt::format("read_csv: cannot read \"{}\"", path.string()));
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) throw Error("read_csv: libcsv could not start");
  csv_set_delim(&parser, static_cast<unsigned char>(delimiter));
  Records records;
  const bool parsed = csv_parse(&parser, text.data(), text.size(), on_field, on_row, &records) == text.size() &&
                      csv_fini(&parser, on_field, on_row, &records) == 0;
  const std::string problem = parsed ? "" : csv_strerror(csv_error(&parser));
  csv_free(&parser);
  if (!parsed) {
    throw Error(
        fmt::format("read_csv: \"{}\" is not valid CSV near line {}: {}", path.string(), records.line, problem));
  }
  return records;
}

// Whether `cell` is a whole number (for the label's default type).
bool is_integer(const std::string& cell) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  return error == std::errc() && end == cell.data() + cell.size();
}

std::optional<double> parse_number(const std::string& cell, bool integer) {
  if (integer) {
    int64_t value = 0;
    const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
    if (error != std::errc() || end != cell.data() + cell.size()) return std::nullopt;
    return static_cast<double>(value);
  }
  double value = 0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (error != std::errc() || end != cell.data() + cell.size()) return std::nullopt;
  return value;
}

torch::ScalarType dtype_of(const std::string& column, const std::string& type) {
  if (type == "float32") return torch::kFloat32;
  if (type == "float64") return torch::kFloat64;
  if (type == "int64") return torch::kInt64;
  if (type == "int32") return torch::kInt32;
  throw Error(fmt::format(
      "read_csv: expected column_types[\"{}\"] to be float32, float64, int64 or int32, received \"{}\"", column, type));
}

}  // namespace

CsvData read_csv(const std::filesystem::path& path, const CsvOptions& options) {
  const Records records = parse(path, options.delimiter);
  if (records.rows.empty())
    throw Error(fmt::format("read_csv: \"{}\" is empty; expected a header line", path.string()));
  const std::vector<std::string>& header = records.rows.front();
  if (records.rows.size() < 2) {
    throw Error(fmt::format("read_csv: \"{}\" has a header but no rows", path.string()));
  }
  auto index_of = [&](const std::string& name) {
    const auto found = std::find(header.begin(), header.end(), name);
    if (found == header.end()) {
      throw Error(fmt::format("read_csv: \"{}\" has no column \"{}\"; its columns are {}", path.string(), name,
                              fmt::join(header, ", ")));
    }
    return static_cast<size_t>(found - header.begin());
  };
  for (const auto& [column, type] : options.column_types) {
    index_of(column);
    dtype_of(column, type);
  }
  const bool labelled = !options.label_column.empty();
  const size_t label = labelled ? index_of(options.label_column) : header.size();
  std::vector<size_t> features;
  if (options.select_columns.empty()) {
    for (size_t c = 0; c < header.size(); ++c) {
      if (c != label) features.push_back(c);
    }
  } else {
    for (const std::string& name : options.select_columns) features.push_back(index_of(name));
  }
  if (features.empty()) throw Error(fmt::format("read_csv: \"{}\" has no feature columns", path.string()));

  const size_t rows = records.rows.size() - 1;
  for (size_t r = 1; r <= rows; ++r) {
    if (records.rows[r].size() != header.size()) {
      throw Error(fmt::format("read_csv: \"{}\" line {}: expected {} cells as in the header, received {}",
                              path.string(), records.lines[r], header.size(), records.rows[r].size()));
    }
  }
  auto type_of = [&](size_t column, torch::ScalarType fallback) {
    const auto found = options.column_types.find(header[column]);
    return found == options.column_types.end() ? fallback : dtype_of(header[column], found->second);
  };
  // One column's values, each cell checked; errors name the line and the column.
  auto column_values = [&](size_t column, torch::ScalarType dtype) {
    const bool integer = dtype == torch::kInt64 || dtype == torch::kInt32;
    std::vector<double> values;
    values.reserve(rows);
    for (size_t r = 1; r <= rows; ++r) {
      const std::string& cell = records.rows[r][column];
      const std::optional<double> value = parse_number(cell, integer);
      if (!value) {
        throw Error(fmt::format("read_csv: \"{}\" line {}, column {} (\"{}\"): expected {}, received {}", path.string(),
                                records.lines[r], column + 1, header[column], integer ? "a whole number" : "a number",
                                cell.empty() ? std::string("an empty cell") : fmt::format("\"{}\"", cell)));
      }
      values.push_back(*value);
    }
    return torch::tensor(values, torch::kFloat64).to(dtype);
  };

  CsvData data;
  std::vector<torch::Tensor> columns;
  torch::ScalarType x_type = torch::kInt32;
  for (size_t column : features) {
    const torch::ScalarType dtype = type_of(column, torch::kFloat32);
    columns.push_back(column_values(column, dtype));
    x_type = c10::promoteTypes(x_type, dtype);
    data.feature_names.push_back(header[column]);
  }
  for (torch::Tensor& column : columns) column = column.to(x_type);
  data.x = torch::stack(columns, 1);
  if (labelled) {
    bool whole = true;
    for (size_t r = 1; r <= rows && whole; ++r) whole = is_integer(records.rows[r][label]);
    data.y = column_values(label, type_of(label, whole ? torch::kInt64 : torch::kFloat32));
  }
  return data;
}

}  // namespace tkeras::data
