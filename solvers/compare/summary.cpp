// solvers/compare/summary.cpp — judging and writing summary rows (summary.hpp).
#include "summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace fw::compare {

double SummaryRow::relative_error() const { return observed / predicted - 1; }

bool SummaryRow::pass() const {
  switch (rule) {
    case Rule::kRelative: return std::isfinite(relative_error()) && std::abs(relative_error()) <= tolerance;
    case Rule::kUpperBound: {
      const double se = std::isfinite(observed_se) ? observed_se : 0.0;
      return std::isfinite(observed) && observed <= predicted + tolerance * se;
    }
    case Rule::kWithinSe:
      return std::isfinite(observed) && std::isfinite(observed_se) &&
             std::abs(observed - predicted) <= tolerance * observed_se;
    case Rule::kBelowBy:
      return std::isfinite(observed) && std::isfinite(observed_se) && observed <= predicted - tolerance * observed_se;
    case Rule::kEqual: return observed == predicted;
    case Rule::kAbsolute: return std::isfinite(observed) && std::abs(observed - predicted) <= tolerance;
    case Rule::kReport: return true;
  }
  return false;
}

std::string SummaryRow::rule_text() const {
  switch (rule) {
    case Rule::kRelative: return fmt::format("within {:g}%", 100 * tolerance);
    case Rule::kUpperBound: return fmt::format("<= prediction + {:g} se", tolerance);
    case Rule::kWithinSe: return fmt::format("within {:g} se", tolerance);
    case Rule::kBelowBy: return fmt::format("below prediction by >= {:g} se", tolerance);
    case Rule::kEqual: return "equal";
    case Rule::kAbsolute: return fmt::format("within {:g}", tolerance);
    case Rule::kReport: return "reported";
  }
  return "";
}

namespace {

std::string number(double v) { return std::isfinite(v) ? fmt::format("{:.5g}", v) : std::string("n/a"); }

std::string join(const std::vector<SummaryRow>& rows, std::string (*field)(const SummaryRow&)) {
  std::string s;
  for (std::size_t i = 0; i < rows.size(); ++i) s += (i ? "\n" : "") + field(rows[i]);
  return s;
}

}  // namespace

std::string markdown_table(const std::vector<SummaryRow>& rows) {
  std::string s =
      "| quantity | condition | predicted | observed | rel. error | tolerance | verdict |\n"
      "| --- | --- | ---: | ---: | ---: | --- | --- |\n";
  for (const auto& r : rows) {
    const std::string observed =
        number(r.observed) + (std::isfinite(r.observed_se) ? " +- " + fmt::format("{:.2g}", r.observed_se) : "");
    const std::string units = r.units.empty() || r.units == "1" ? "" : " " + r.units;
    // A relative error means nothing for an identity or against a zero prediction.
    const bool relative = r.rule != Rule::kEqual && std::abs(r.predicted) > 1e-9 * std::max(1.0, std::abs(r.observed));
    const std::string rel = relative && std::isfinite(r.relative_error()) ? fmt::format("{:+.1f}%", 100 * r.relative_error()) : "-";
    s += fmt::format("| {} | {} | {}{} | {}{} | {} | {} | {} |\n", r.quantity, r.condition, number(r.predicted),
                     units, observed, units, rel, r.rule_text(),
                     !r.judged() ? "-" : r.pass() ? "pass" : "FAIL");
  }
  return s;
}

void write_summary(const io::Group& parent, const std::vector<SummaryRow>& rows) {
  const io::Group g = parent.group("summary");
  g.add_index_dimension("row", rows.size(), "one predicted-against-observed comparison");
  std::vector<double> predicted, observed, se, rel, tol;
  std::vector<std::int64_t> judged, pass;
  for (const auto& r : rows) {
    predicted.push_back(r.predicted);
    observed.push_back(r.observed);
    se.push_back(r.observed_se);
    rel.push_back(r.relative_error());
    tol.push_back(r.tolerance);
    judged.push_back(r.judged());
    pass.push_back(r.pass());
  }
  g.write("predicted", {"row"}, std::span<const double>(predicted), {"", "the theory's number"});
  g.write("observed", {"row"}, std::span<const double>(observed), {"", "the simulation's number"});
  g.write("observed_se", {"row"}, std::span<const double>(se), {"", "standard error of observed"});
  g.write("relative_error", {"row"}, std::span<const double>(rel), {"1", "observed / predicted - 1"});
  g.write("tolerance", {"row"}, std::span<const double>(tol),
          {"1", "relative tolerance, or standard errors for an upper bound (see rule)"});
  g.write("judged", {"row"}, std::span<const std::int64_t>(judged), {"1", "1 if the row is held to a tolerance"});
  g.write("pass", {"row"}, std::span<const std::int64_t>(pass), {"1", "1 if the row meets its rule"});
  g.set_attribute("quantity", join(rows, [](const SummaryRow& r) { return r.quantity; }));
  g.set_attribute("condition", join(rows, [](const SummaryRow& r) { return r.condition; }));
  g.set_attribute("units", join(rows, [](const SummaryRow& r) { return r.units; }));
  g.set_attribute("rule", join(rows, [](const SummaryRow& r) { return r.rule_text(); }));
  g.set_attribute("table", markdown_table(rows));
}

}  // namespace fw::compare
