#include "train_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "fwkit/core/error.hpp"
#include "fwkit/io/points.hpp"
#include "fwkit/rng/stream.hpp"

namespace fw::driver {
namespace {

Mat point_matrix(const config::Table& t, const std::string& key) {
  const auto rows = t.number_matrix(key);
  if (rows.empty() || rows[0].empty()) t.fail(key, "needs at least one point");
  Mat data(static_cast<Eigen::Index>(rows[0].size()), static_cast<Eigen::Index>(rows.size()));
  for (std::size_t j = 0; j < rows.size(); ++j) {
    if (rows[j].size() != rows[0].size()) t.fail(key, fmt::format("row {} has {} entries, the first has {}", j, rows[j].size(), rows[0].size()));
    for (std::size_t k = 0; k < rows[j].size(); ++k) data(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(j)) = rows[j][k];
  }
  return data;
}

/// Points from a CSV or HDF5 file; a relative path starts at the config's
/// folder. Read through Table::file, so that no output may overwrite it.
Mat file_points(const config::Table& t) {
  const auto path = t.file("file");
  const std::string dataset = t.string("dataset", "");
  try {
    return io::read_points(path, dataset);
  } catch (const Error& e) {
    throw Error(e.code(), t.describe("file") + ": " + e.what());
  }
}

/// n points on a circle of the given radius: equally spaced from `phase`, or
/// at seeded uniform angles.
Mat circle_points(const config::Table& t) {
  const auto n = t.integer("n", config::at_least(1));
  const double radius = t.number("radius", config::positive());
  const bool random = t.choice("angles", "equal", {"equal", "random"}) == "random";
  const double phase = t.number("phase", 0.0);
  rng::Stream rng(static_cast<std::uint64_t>(t.integer("seed", 1, config::non_negative())), 0);
  Mat data(2, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const double a = random ? 2 * std::numbers::pi * rng.uniform() : phase + 2 * std::numbers::pi * static_cast<double>(j) / static_cast<double>(n);
    data(0, j) = radius * std::cos(a);
    data(1, j) = radius * std::sin(a);
  }
  return data;
}

/// "gaussian" (mean, sd) or "mixture" (centers, sd): n points.
Mat law_points(const config::Table& t, const std::string& law) {
  const auto n = t.integer("n", config::at_least(1));
  const double sd = t.number("sd", config::positive());
  std::vector<std::vector<double>> centers;
  if (law == "gaussian") centers.push_back(t.numbers("mean"));
  else centers = t.number_matrix("centers");
  if (centers.empty() || centers[0].empty()) t.fail(law == "gaussian" ? "mean" : "centers", "needs at least one coordinate");
  for (const auto& c : centers)
    if (c.size() != centers[0].size()) t.fail("centers", "every center needs the same number of coordinates");
  rng::Stream rng(static_cast<std::uint64_t>(t.integer("seed", 1, config::non_negative())), 0);
  const auto d = static_cast<Eigen::Index>(centers[0].size());
  Mat data(d, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const auto& c = centers[rng.below(centers.size())];
    for (Eigen::Index k = 0; k < d; ++k) data(k, j) = c[static_cast<std::size_t>(k)] + sd * rng.normal();
  }
  return data;
}

Mat columns(const Mat& data, const std::vector<Eigen::Index>& index) {
  Mat out(data.rows(), static_cast<Eigen::Index>(index.size()));
  for (std::size_t j = 0; j < index.size(); ++j) out.col(static_cast<Eigen::Index>(j)) = data.col(index[j]);
  return out;
}

}  // namespace

Mat read_train_data(const config::Table& t) {
  const int sources = t.has("points") + t.has("generate") + t.has("file");
  if (sources != 1) t.fail("points", "give exactly one of points, generate or file");
  if (t.has("points")) return point_matrix(t, "points");
  if (t.has("file")) return file_points(t);
  const std::string law = t.choice("generate", {"gaussian", "mixture", "circle"});
  return law == "circle" ? circle_points(t) : law_points(t, law);
}

train::Split read_train_split(const config::Table& t) {
  const Mat data = read_train_data(t);
  const config::Table v = t.table("validation");
  if (!v.present()) return {data, Mat(data.rows(), 0)};
  const int ways = v.has("every") + v.has("fraction") + v.has("points") + v.has("file");
  if (ways != 1) {
    std::string hint;
    for (const char* k : {"every", "fraction", "points", "file"})
      if (hint.empty() && !v.has(k)) hint = v.near_miss(k);
    v.fail(ways == 0 ? "every" : "fraction", std::string("give exactly one of every, fraction, points or file") + hint);
  }
  const Eigen::Index n = data.cols();
  if (v.has("points") || v.has("file")) {
    const Mat held = v.has("points") ? point_matrix(v, "points") : file_points(v);
    if (held.rows() != data.rows())
      v.fail(v.has("points") ? "points" : "file", fmt::format("validation points have {} coordinates, the data {}", held.rows(), data.rows()));
    if (held.cols() < 2 || data.cols() < 2)
      v.fail(v.has("points") ? "points" : "file", fmt::format("{} training and {} validation points: both need at least two (standard errors are over points)", data.cols(), held.cols()));
    return {data, held};
  }
  std::vector<Eigen::Index> train, held;
  if (v.has("every")) {
    const auto every = v.integer("every", config::at_least(2));
    const auto offset = v.integer("offset", 1, config::between(0, static_cast<double>(every - 1)));
    for (Eigen::Index i = 0; i < n; ++i) (i % every == offset ? held : train).push_back(i);
  } else {
    const double f = v.number("fraction", config::Range{0.0, 1.0, true, true});
    rng::Stream rng(static_cast<std::uint64_t>(v.integer("seed", 1, config::non_negative())), 1);
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);  // Fisher–Yates
    const auto k = static_cast<std::size_t>(std::llround(f * static_cast<double>(n)));
    held.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(std::min(k, order.size())));
    std::sort(held.begin(), held.end());
    for (Eigen::Index i = 0; i < n; ++i)
      if (!std::binary_search(held.begin(), held.end(), i)) train.push_back(i);
  }
  if (train.size() < 2 || held.size() < 2)
    v.fail(v.has("every") ? "every" : "fraction",
           fmt::format("leaves {} training and {} validation points of {}: both need at least two (standard errors are over points)",
                       train.size(), held.size(), n));
  return {columns(data, train), columns(data, held)};
}

}  // namespace fw::driver
