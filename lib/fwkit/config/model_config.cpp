#include "fwkit/config/model_config.hpp"

#include <cmath>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "fwkit/core/error.hpp"
#include "fwkit/io/columns.hpp"
#include "fwkit/model/catalog.hpp"
#include "fwkit/model/expr/parser.hpp"
#include "fwkit/model/expression.hpp"
#include "fwkit/model/families.hpp"
#include "fwkit/model/noise_markov.hpp"
#include "fwkit/model/source_law.hpp"

namespace fw::config {
namespace {

using model::Parameters;

Mat to_matrix(const std::vector<std::vector<double>>& rows, const Table& t, const std::string& key) {
  const std::size_t cols = rows.empty() ? 0 : rows[0].size();
  Mat m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(cols));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != cols) t.fail(key, "rows must all have the same length");
    for (std::size_t j = 0; j < cols; ++j) m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
  }
  return m;
}

model::ParamValues catalog_parameters(const Table& t) {
  model::ParamValues out;
  for (const auto& k : t.keys()) {
    // A scalar, or a matrix given row by row.
    if (t.has(k)) {
      const std::string type = t.value_type(k);
      if (type != "an array") {  // a number (finite: the rule is reported as such), or the type error
        out[k] = model::ParamValue::scalar(t.number(k));
        continue;
      }
      const auto rows = t.number_matrix(k);
      model::ParamValue v;
      v.rows = static_cast<int>(rows.size());
      v.cols = rows.empty() ? 0 : static_cast<int>(rows[0].size());
      for (const auto& r : rows) {
        if (static_cast<int>(r.size()) != v.cols) t.fail(k, "matrix rows must have equal length");
        v.data.insert(v.data.end(), r.begin(), r.end());
      }
      out[k] = v;
    }
  }
  return out;
}

/// The data of a finite sum: columns from `file` (CSV with a header, or
/// HDF5 datasets named in `datasets`), optionally only those in `columns`,
/// and inline columns (every other key, an array of numbers).
std::map<std::string, std::vector<double>> data_columns(const Table& data) {
  std::map<std::string, std::vector<double>> out;
  if (data.has("file")) {
    const std::filesystem::path file = data.file("file");
    const std::string ext = file.extension().string();
    try {
      if (ext == ".h5" || ext == ".hdf5") {
        const Table ds = data.table("datasets");
        if (!ds.present()) data.fail("file", "an HDF5 data file needs [" + data.path() + ".datasets]: column = \"/dataset/path\"");
        if (data.has("columns")) data.fail("columns", "selects CSV columns; an HDF5 file's columns are its [" + data.path() + ".datasets]");
        std::map<std::string, std::string> paths;
        for (const auto& k : ds.keys()) paths[k] = ds.string(k);
        out = io::read_hdf5_columns(file, paths);
      } else if (ext == ".csv" || ext == ".tsv" || ext == ".txt") {
        out = io::read_csv_columns(file, data.has("columns") ? data.strings("columns") : std::vector<std::string>{});
      } else {
        data.fail("file", "data files must end in .csv, .tsv, .txt (a header, then rows of numbers), .h5 or .hdf5");
      }
    } catch (const Error& e) {
      if (e.code() == ExitCode::kConfig) throw;
      throw Error(e.code(), data.describe("file") + ": " + e.what());
    }
  } else if (data.has("columns") || data.table("datasets").present()) {
    data.fail(data.has("columns") ? "columns" : "datasets", "selects columns of a data file: give file too");
  }
  for (const auto& col : data.keys()) {
    if (col == "file" || col == "columns" || col == "datasets") continue;
    if (out.count(col)) data.fail(col, "is also a column of " + data.string("file") + ": a column is given once");
    out[col] = data.numbers(col);
  }
  return out;
}

/// The data's column names, comma-separated (for messages).
std::string column_list(const std::map<std::string, std::vector<double>>& data) {
  std::string known;
  for (const auto& [c, v] : data) known += (known.empty() ? "" : ", ") + c;
  return known;
}

/// The data columns a family reads as inputs: each name a column, or a
/// vector column's entries name[1], name[2], ... in order.
std::vector<std::string> input_columns(const Table& sys, const std::map<std::string, std::vector<double>>& data) {
  std::vector<std::string> out;
  for (const auto& name : sys.strings("inputs")) {
    if (data.count(name)) {
      out.push_back(name);
      continue;
    }
    std::size_t before = out.size();
    for (int k = 1; data.count(name + "[" + std::to_string(k) + "]"); ++k) out.push_back(name + "[" + std::to_string(k) + "]");
    if (out.size() == before) sys.fail("inputs", "has no data column \"" + name + "\" (the data has " + column_list(data) + ")");
  }
  if (out.empty()) sys.fail("inputs", "must name at least one data column");
  return out;
}

/// A built-in model family over the data in [<sys>.data].
std::shared_ptr<const model::System> build_family(const Table& sys, const std::string& kind) {
  model::FamilySpec spec;
  spec.family = kind;
  spec.key_path = sys.path();
  const auto data = data_columns(sys.table("data"));
  const std::vector<std::string> inputs = input_columns(sys, data);
  const std::string target = sys.string("target", "y");
  if (!data.count(target)) sys.fail("target", "is not a data column (the data has " + column_list(data) + ")");
  const auto n = static_cast<Eigen::Index>(data.at(target).size());
  for (const auto& c : inputs)
    if (static_cast<Eigen::Index>(data.at(c).size()) != n)
      sys.fail("inputs", fmt::format("column \"{}\" has {} values and the target \"{}\" {}: every column needs one "
                                     "value per data point", c, data.at(c).size(), target, n));
  spec.inputs.resize(static_cast<Eigen::Index>(inputs.size()), n);
  for (std::size_t q = 0; q < inputs.size(); ++q)
    spec.inputs.row(static_cast<Eigen::Index>(q)) = Eigen::Map<const Vec>(data.at(inputs[q]).data(), n).transpose();
  spec.targets = Eigen::Map<const Vec>(data.at(target).data(), n);
  if (sys.boolean("standardize", false)) {
    // Each input to mean 0 and standard deviation 1 over the data set.
    for (Eigen::Index q = 0; q < spec.inputs.rows(); ++q) {
      const double mean = spec.inputs.row(q).mean();
      const double sd = std::sqrt((spec.inputs.row(q).array() - mean).square().mean());
      if (!(sd > 0)) sys.fail("standardize", "cannot scale input \"" + inputs[static_cast<std::size_t>(q)] + "\": it is constant over the data");
      spec.inputs.row(q) = (spec.inputs.row(q).array() - mean) / sd;
    }
  }
  spec.weight_decay = sys.number("weight_decay", 0.0, config::non_negative());
  if (kind == "two_layer") {
    spec.width = static_cast<int>(sys.integer("width", config::at_least(1)));
    spec.activation = sys.choice("activation", "tanh", {"tanh", "relu", "softplus"});
    spec.loss = sys.choice("loss", "squared", {"squared", "logistic"});
  } else {
    spec.intercept = sys.boolean("intercept", true);
  }
  if (kind == "softmax") spec.classes = static_cast<int>(sys.integer("classes", 0, config::non_negative()));
  return model::make_family_system(spec);
}

/// [model.parameters] with [model.system.parameters] (the catalog's place
/// for them) merged in; a name in both is refused.
Parameters expression_parameters(const Table& sys, Parameters params) {
  const Table t = sys.table("parameters");
  for (const auto& k : t.keys()) {
    if (params.count(k)) t.fail(k, "is also given in [model.parameters]; give each parameter once");
    params[k] = t.number(k);
  }
  return params;
}

/// build() with the config line added to the expression front end's errors,
/// which name the key (`model.system.drift[1]: ... at column 7`) but cannot
/// know the file.
template <class F>
auto with_line(const Table& sys, F&& build) {
  try {
    return build();
  } catch (const Error& e) {
    if (e.code() != ExitCode::kConfig) throw;
    const std::string msg = e.what();
    for (const char* key : {"drift", "loss", "component", "diffusion", "variables"}) {
      const std::string kp = sys.path() + "." + key;
      if (msg.rfind(kp, 0) != 0 || (msg.size() > kp.size() && msg[kp.size()] != '[' && msg[kp.size()] != ':'))
        continue;
      std::size_t at = kp.size();
      if (at < msg.size() && msg[at] == '[') at = msg.find(']', at) + 1;
      throw config_error(msg.substr(0, at) + sys.where(key) + msg.substr(at));
    }
    throw;
  }
}

std::shared_ptr<const model::System> build_system(const Table& sys, const Parameters& model_params) {
  const std::string kind = sys.string("kind");
  const bool expression = kind == "expression" || kind == "finite_sum";
  const Parameters params = expression ? expression_parameters(sys, model_params) : model_params;
  if (kind == "expression") {
    model::ExpressionSpec spec;
    spec.key_path = sys.path();
    spec.variables = sys.strings("variables");
    spec.parameters = params;
    if (sys.has("drift")) spec.drift = sys.expressions("drift");
    if (sys.has("loss")) spec.loss = sys.string("loss");
    if (!sys.has("drift") && !sys.has("loss"))
      sys.fail("drift", "is required, or 'loss' (f, b = -grad f)" + sys.near_miss("drift") + sys.near_miss("loss"));
    if (sys.has("diffusion")) spec.diffusion = sys.expression_matrix("diffusion");
    return with_line(sys, [&] { return model::make_expression_system(spec); });
  }
  if (kind == "least_squares" || kind == "logistic" || kind == "softmax" || kind == "two_layer")
    return build_family(sys, kind);
  if (kind == "finite_sum") {
    model::FiniteSumSpec spec;
    spec.key_path = sys.path();
    spec.variables = sys.strings("variables");
    spec.parameters = params;
    spec.component = sys.string("component");
    spec.data = data_columns(sys.table("data"));
    return with_line(sys, [&] { return model::make_finite_sum_system(spec); });
  }
  return model::make_catalog_system(kind, catalog_parameters(sys.table("parameters")), sys.path());
}

std::shared_ptr<const model::NoiseModel> build_noise(const Table& n,
                                                     std::shared_ptr<const model::System> system,
                                                     const Parameters& params) {
  const std::vector<std::string> vars = system->variable_names();
  const int d = system->dim();
  const std::string kind = n.choice(
      "kind", {"gaussian", "minibatch", "rademacher", "discrete", "mixture", "markov", "additive"});
  auto field = [&](const model::ExpressionMatrix& e, const std::string& key) {
    return model::make_expression_field(e, vars, params, n.path() + "." + key);
  };
  if (kind == "gaussian") {
    if (n.has("sigma")) {
      const auto sigma = n.expression_matrix("sigma");
      if (static_cast<int>(sigma.size()) != d) n.fail("sigma", "needs one row per state variable");
      return model::make_state_gaussian_noise(field(sigma, "sigma"), d,
                                              static_cast<int>(sigma[0].size()));
    }
    const Mat cov = to_matrix(n.number_matrix("covariance"), n, "covariance");
    if (cov.rows() != d || cov.cols() != d)
      n.fail("covariance", "must be " + std::to_string(d) + " x " + std::to_string(d));
    try {
      return model::make_gaussian_noise(cov);
    } catch (const Error& e) {
      n.fail("covariance", e.what());
    }
  }
  if (kind == "minibatch") {
    model::MinibatchOptions o;
    o.batch = static_cast<int>(n.integer("batch", 1, between(1, 65536)));
    o.replacement = n.boolean("replacement", true);
    o.gaussian_lambda = n.choice("lambda", "exact", {"exact", "gaussian"}) == "gaussian";
    o.max_subsets = n.integer("max_subsets", o.max_subsets, between(1, 1e8));
    if (const auto* fs = system->finite_sum(); fs && !o.replacement && o.batch > fs->size())
      n.fail("batch", "must be at most the n = " + std::to_string(fs->size()) +
                          " data points when drawn without replacement");
    return model::make_minibatch_noise(system, o);
  }
  if (kind == "additive") {
    // One law per source; without a mixing matrix, one source per coordinate.
    std::vector<std::shared_ptr<const model::SourceLaw>> laws;
    for (const auto& text : n.strings("laws")) laws.push_back(model::parse_source_law(text, n.describe("laws")));
    Mat mixing = Mat::Identity(d, static_cast<Eigen::Index>(laws.size()));
    if (n.has("mixing")) mixing = to_matrix(n.number_matrix("mixing"), n, "mixing");
    else if (static_cast<int>(laws.size()) != d)
      n.fail("laws", fmt::format("has {} laws for {} coordinates: give one per coordinate, or a mixing matrix "
                                 "({} x {})", laws.size(), d, d, laws.size()));
    if (mixing.rows() != d) n.fail("mixing", "needs one row per state variable (" + std::to_string(d) + ")");
    if (mixing.cols() != static_cast<Eigen::Index>(laws.size()))
      n.fail("mixing", "needs one column per law (" + std::to_string(laws.size()) + ")");
    return model::make_additive_noise(std::move(laws), mixing);
  }
  if (kind == "rademacher") {
    const auto s = n.numbers("scales", non_negative());
    if (static_cast<int>(s.size()) != d) n.fail("scales", "needs one scale per state variable");
    return model::make_rademacher_noise(Eigen::Map<const Vec>(s.data(), d));
  }
  if (kind == "discrete") {
    const Mat atoms = to_matrix(n.number_matrix("atoms"), n, "atoms").transpose();
    if (atoms.rows() != d) n.fail("atoms", "each atom needs " + std::to_string(d) + " entries");
    const auto q = n.numbers("probabilities", non_negative());
    if (static_cast<Eigen::Index>(q.size()) != atoms.cols())
      n.fail("probabilities", fmt::format("needs one probability per atom ({} atoms, {} probabilities)", atoms.cols(), q.size()));
    double total = 0;
    for (double p : q) total += p;
    if (!(std::abs(total - 1) <= 1e-9)) n.fail("probabilities", fmt::format("must sum to 1 (they sum to {:.12g})", total));
    std::shared_ptr<const model::Field> scale;
    if (n.has("scale")) scale = field({{n.string("scale")}}, "scale");
    return model::make_discrete_noise(atoms, Eigen::Map<const Vec>(q.data(), static_cast<Eigen::Index>(q.size())), scale);
  }
  if (kind == "mixture") {
    std::vector<Vec> means;
    for (const auto& m : n.number_matrix("means")) {
      if (static_cast<int>(m.size()) != d)
        n.fail("means", fmt::format("each component mean needs {} entries (one per state variable), one has {}", d, m.size()));
      means.push_back(Eigen::Map<const Vec>(m.data(), static_cast<Eigen::Index>(m.size())));
    }
    std::vector<Mat> covs;
    const Table cov_table = n.table("covariances");
    for (std::size_t k = 0; k < means.size(); ++k) {
      const std::string key = "c" + std::to_string(k);
      covs.push_back(to_matrix(cov_table.number_matrix(key), cov_table, key));
      if (covs.back().rows() != d || covs.back().cols() != d)
        cov_table.fail(key, fmt::format("must be {0} x {0} (the state dimension)", d));
      const double smallest = Eigen::SelfAdjointEigenSolver<Mat>(covs.back()).eigenvalues().minCoeff();
      if (smallest < -1e-12)
        cov_table.fail(key, fmt::format("must be positive semi-definite (smallest eigenvalue {:.6g})", smallest));
    }
    std::shared_ptr<const model::Field> logits;
    if (n.has("logits")) {
      model::ExpressionMatrix row{n.expressions("logits")};
      if (row[0].size() != means.size())
        n.fail("logits", fmt::format("needs one expression per component ({} means, {} logits)", means.size(), row[0].size()));
      logits = field(row, "logits");
    }
    return model::make_mixture_noise(std::move(means), std::move(covs), logits);
  }
  throw config_error(n.path() + ".kind: unsupported");
}

/// A K x K kernel and K rows of d increments, checked where they are written.
void check_markov_shapes(const Table& noise, const model::ExpressionMatrix& kernel,
                         const model::ExpressionMatrix& increments, int d) {
  const std::size_t k = kernel.size();
  for (const auto& row : kernel)
    if (row.size() != k)
      noise.fail("kernel", fmt::format("must be a square matrix (one row of {} transition probabilities per chain "
                                       "state), has a row of {}", k, row.size()));
  if (increments.size() != k)
    noise.fail("increments", fmt::format("needs one row per chain state ({}), has {}", k, increments.size()));
  for (const auto& row : increments)
    if (static_cast<int>(row.size()) != d)
      noise.fail("increments", fmt::format("each row needs {} entries (one per variable), has a row of {}", d, row.size()));
}

/// Every row of the kernel that uses no state variable is checked now: a
/// probability vector (entries >= 0 summing to 1). Rows that depend on the
/// state are checked where the run starts and at every step.
void check_constant_kernel(const Table& noise, const model::ExpressionMatrix& rows, const Parameters& params) {
  const std::size_t k = rows.size();
  for (std::size_t i = 0; i < k; ++i) {
    std::shared_ptr<const model::Field> constant;
    try {
      constant = model::make_expression_field({rows[i]}, {}, params, noise.path() + ".kernel");
    } catch (const Error&) {
      continue;  // the row depends on the state
    }
    std::vector<double> p(k);
    const double no_state = 0;
    constant->eval(&no_state, p.data());
    double sum = 0;
    bool nonnegative = true;
    for (double v : p) sum += v, nonnegative = nonnegative && v >= 0;
    if (!nonnegative || !(std::abs(sum - 1) <= 1e-9))
      noise.fail("kernel", fmt::format("row {} is not a probability vector (entries must be >= 0 and sum to 1; they "
                                       "sum to {:.12g})", i, sum));
  }
}

}  // namespace

model::Parameters read_parameters(const Table& model) {
  model::Parameters p;
  const Table t = model.table("parameters");
  for (const auto& k : t.keys()) p[k] = t.number(k);
  return p;
}

model::Model build_model(const Table& m) {
  const Parameters params = read_parameters(m);
  const Table noise = m.table("noise");
  const Table sys = m.table("system");
  if (noise.present() && noise.has("kind") && noise.string("kind", "") == "markov") {
    if (sys.present())
      throw config_error(
          "model.system: must be absent when model.noise.kind = \"markov\" (the drift is the "
          "kernel-averaged increment)");
    const auto vars = model::expr::expand_declarations(noise.strings("variables"), noise.path() + ".variables");
    const int d = static_cast<int>(vars.size());
    const auto kernel_rows = noise.expression_matrix("kernel");
    const auto increment_rows = noise.expression_matrix("increments");
    check_markov_shapes(noise, kernel_rows, increment_rows, d);
    auto kernel = model::make_expression_field(kernel_rows, vars, params, noise.path() + ".kernel");
    auto incr = model::make_expression_field(increment_rows, vars, params, noise.path() + ".increments");
    check_constant_kernel(noise, kernel_rows, params);
    auto markov = model::make_markov_noise(kernel, incr, d);
    return model::Model{std::make_shared<model::MarkovAverageSystem>(markov), markov};
  }
  if (!sys.present()) throw config_error("model.system: is required (a table with 'kind')");
  auto system = build_system(sys, params);
  if (!noise.present()) return model::with_system_diffusion(system);
  return model::Model{system, build_noise(noise, system, params)};
}

}  // namespace fw::config
