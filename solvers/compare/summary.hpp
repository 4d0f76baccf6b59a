// solvers/compare/summary.hpp — rows of predicted against observed numbers,
// each with the tolerance it is held to: what `fwkit compare` writes to a
// comparison file's /summary group and `fwkit run` gathers into summary.md.
#pragma once

#include <string>
#include <vector>

#include "fwkit/io/result_file.hpp"

namespace fw::compare {

/// How a row passes.
enum class Rule {
  kRelative,    // |observed / predicted - 1| <= tolerance
  kUpperBound,  // observed <= predicted + tolerance * observed_se (a bound the observation must respect)
  kWithinSe,    // |observed - predicted| <= tolerance * observed_se (an exact prediction, a statistical test)
  kBelowBy,     // observed <= predicted - tolerance * observed_se (a trend: significantly below)
  kEqual,       // observed == predicted (an identity: which attractor is the ground state)
  kAbsolute,    // |observed - predicted| <= tolerance, in the row's units (a discrepancy with a stated size)
  kReport,      // shown, not judged (a reference number, e.g. a limit the theory does not claim here)
};

struct SummaryRow {
  std::string quantity;    // "mean episode length (hazard)"
  std::string condition;   // "step = 0.02"
  std::string units;       // "steps"
  double predicted = 0;
  double observed = 0;
  double observed_se = 0;  // standard error of `observed` (NaN if none)
  Rule rule = Rule::kRelative;
  double tolerance = 0;    // relative (kRelative), in standard errors (kUpperBound, kWithinSe) or in units (kAbsolute)

  /// The relative discrepancy observed / predicted - 1.
  double relative_error() const;
  bool judged() const { return rule != Rule::kReport; }
  /// Whether the row meets its rule (true for kReport).
  bool pass() const;
  /// The rule in words: "|rel. error| <= 10%", "<= prediction + 3 se", "within 4 se", "reported".
  std::string rule_text() const;
};

/// A markdown table of the rows (one line each, with the verdict).
std::string markdown_table(const std::vector<SummaryRow>& rows);

/// Writes the rows under `parent`/summary: datasets over the dimension
/// `row` (predicted, observed, observed_se, relative_error, tolerance,
/// judged, pass) and the attributes `quantity`, `condition`, `units`, `rule`
/// (one line per row, joined by newlines) and `table` (the markdown table).
void write_summary(const io::Group& parent, const std::vector<SummaryRow>& rows);

}  // namespace fw::compare
