// fwkit/model/source_law.hpp — one-dimensional laws for additive noise:
// a sampler, the moments, and the log-moment generating function
// lambda(u) = log E e^{u X} with two derivatives, +inf outside the domain
// where it is finite.
//
// Laws are written as text (the config's `model.noise.laws` entries):
//   exponential(r)          rate r > 0                  lambda finite for u < r
//   gamma(k, r)             shape k > 0, rate r > 0     u < r
//   laplace(b)              scale b > 0                 |u| < 1 / b
//   uniform(a)              on [-a, a], a > 0           every u (bounded support)
//   student_t(nu, s)        nu > 2 degrees, scale s     only u = 0 (heavy tails)
//   normal(s)               standard deviation s >= 0   every u
//   shift(law, c)           law + c
//   mix(w1, law1, w2, law2, ...)   weights > 0 (normalised)
// Additive noise uses each law centred by its mean.
//
//   auto law = fw::model::parse_source_law("mix(0.3, laplace(0.2), 0.7, shift(exponential(2), -1))", "model.noise.laws");
//   double m = law->mean(), v = law->variance();
#pragma once

#include <memory>
#include <string>

#include "fwkit/rng/stream.hpp"

namespace fw::model {

class SourceLaw {
 public:
  virtual ~SourceLaw() = default;
  virtual double mean() const = 0;
  virtual double variance() const = 0;
  /// lambda(u) and, when non-null, lambda'(u) and lambda''(u); +inf (and
  /// NaN derivatives) where lambda is infinite.
  virtual double log_mgf(double u, double* d1 = nullptr, double* d2 = nullptr) const = 0;
  virtual double sample(rng::Stream& rng) const = 0;
  /// Whether lambda is finite on a neighbourhood of 0.
  virtual bool has_finite_log_mgf() const { return true; }
  /// Whether the support is bounded.
  virtual bool is_bounded() const { return false; }
  /// The law as text (canonical form of what was parsed).
  virtual std::string describe() const = 0;
};

/// Parses a law; a config Error names `key`, the text and the rule.
std::shared_ptr<const SourceLaw> parse_source_law(const std::string& text, const std::string& key);

}  // namespace fw::model
