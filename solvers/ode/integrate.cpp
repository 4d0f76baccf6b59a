#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "fwkit/core/error.hpp"
#include "stepper.hpp"

namespace fw::ode {

const char* to_string(Method m) {
  switch (m) {
    case Method::kAuto: return "auto";
    case Method::kRk4: return "rk4";
    case Method::kDopri5: return "dopri5";
    case Method::kBdf: return "bdf";
    case Method::kImex: return "imex";
    default: return "radau";
  }
}

Method parse_method(const std::string& name) {
  for (Method m : {Method::kAuto, Method::kRk4, Method::kDopri5, Method::kBdf, Method::kImex, Method::kRadau})
    if (name == to_string(m)) return m;
  throw config_error("ode.method = \"" + name + "\": must be one of auto, rk4, dopri5, bdf, imex, radau");
}

Rhs from_system(const model::System& s) {
  Rhs r;
  r.dim = s.dim();
  r.f = [&s](double, const double* x, double* dx) { s.drift(x, dx); };
  r.jacobian = [&s](double, const double* x, double* j) { s.jacobian(x, j); };
  return r;
}

Rhs split_system(const model::System& s, const std::vector<int>& stiff) {
  Rhs r = from_system(s);
  const int d = s.dim();
  std::vector<char> mask(d, 0);
  for (int k : stiff) {
    if (k < 0 || k >= d) throw config_error("ode.implicit: variable index " + std::to_string(k) + " out of range");
    mask[k] = 1;
  }
  r.implicit = [&s, mask, d](double, const double* x, double* dx) {
    s.drift(x, dx);
    for (int i = 0; i < d; ++i)
      if (!mask[i]) dx[i] = 0;
  };
  r.implicit_jacobian = [&s, mask, d](double, const double* x, double* j) {
    s.jacobian(x, j);
    for (int col = 0; col < d; ++col)
      for (int i = 0; i < d; ++i)
        if (!mask[i]) j[col * d + i] = 0;
  };
  return r;
}

void Options::validate(double t0, double t1) const {
  auto bad = [](const std::string& field, double v, const std::string& rule) {
    throw config_error(fmt::format("ode.{} = {}: {}", field, v, rule));
  };
  if (!(t1 > t0)) bad("t1", t1, fmt::format("must exceed ode.t0 ({})", t0));
  if (!(rtol > 0 && rtol < 1)) bad("rtol", rtol, "must be in (0, 1)");
  if (!(atol > 0)) bad("atol", atol, "must be > 0");
  if (!(dt > 0)) bad("dt", dt, "must be > 0");
  if (max_steps < 1) bad("max_steps", static_cast<double>(max_steps), "must be >= 1");
  if (output_times.empty() && outputs < 2) bad("outputs", outputs, "must be >= 2");
  for (std::size_t i = 0; i < output_times.size(); ++i) {
    if (output_times[i] < t0 || output_times[i] > t1) bad("output_times", output_times[i], "must lie in [t0, t1]");
    if (i && !(output_times[i] > output_times[i - 1])) bad("output_times", output_times[i], "must increase");
  }
}

namespace {

/// Chooses kBdf or kDopri5 from the Jacobian at x0: an explicit method needs
/// about rho(J) * T / 3 steps for stability alone (rho the spectral radius).
Method choose(const Rhs& rhs, double t0, double t1, const Vec& x0, std::string& why) {
  if (!rhs.jacobian) {
    why = "no Jacobian available: explicit Dopri5";
    return Method::kDopri5;
  }
  Mat j(rhs.dim, rhs.dim);
  rhs.jacobian(t0, x0.data(), j.data());
  const double rho = j.eigenvalues().cwiseAbs().maxCoeff();
  const double steps = rho * (t1 - t0) / 3;
  // Stiff: Radau IIA for small systems (dense 3d x 3d Newton matrices),
  // BDF beyond.
  constexpr int kRadauMaxDim = 16;
  const Method m = steps <= 2e4 ? Method::kDopri5 : rhs.dim <= kRadauMaxDim ? Method::kRadau : Method::kBdf;
  why = fmt::format("spectral radius {:.3g} at x0 over a horizon {:.3g}: an explicit method needs ~{:.2g} steps "
                    "for stability alone, so {}", rho, t1 - t0, steps,
                    m == Method::kDopri5 ? "Dopri5 (not stiff)"
                    : m == Method::kRadau ? "Radau IIA (stiff, small system)" : "BDF (stiff, large system)");
  return m;
}

/// Root of g(s) = event(s, x(s)) on [a, b] with g(a) g(b) < 0, by the
/// Illinois variant of regula falsi on the dense output.
double find_root(const std::function<double(double)>& g, double a, double ga, double b, double gb) {
  int side = 0;
  for (int it = 0; it < 200 && std::abs(b - a) > 1e-14 * (1 + std::abs(b)); ++it) {
    const double c = (a * gb - b * ga) / (gb - ga);
    const double gc = g(c);
    if (gc == 0) return c;
    if ((gc > 0) == (gb > 0)) {
      b = c, gb = gc;
      if (side == -1) ga /= 2;
      side = -1;
    } else {
      a = c, ga = gc;
      if (side == 1) gb /= 2;
      side = 1;
    }
  }
  return std::abs(ga) < std::abs(gb) ? a : b;
}

}  // namespace

Result integrate(const Rhs& rhs, double t0, double t1, const Vec& x0, const Options& o,
                 const std::vector<Event>& events) {
  o.validate(t0, t1);
  if (x0.size() != rhs.dim) throw config_error(fmt::format("ode.x0: has {} entries, expected {}", x0.size(), rhs.dim));
  Result r;
  r.method = o.method;
  if (r.method == Method::kAuto) r.method = choose(rhs, t0, t1, x0, r.method_reason);
  auto stepper = r.method == Method::kRadau ? detail::make_radau_stepper(rhs, o)
                 : (r.method == Method::kBdf || r.method == Method::kImex)
                     ? detail::make_sundials_stepper(rhs, o, r.method)
                     : detail::make_odeint_stepper(rhs, o, r.method);
  std::vector<double> times = o.output_times;
  if (times.empty())
    for (int i = 0; i < o.outputs; ++i) times.push_back(t0 + (t1 - t0) * i / (o.outputs - 1));
  std::vector<Vec> states;
  std::size_t next = 0;
  if (times[0] == t0) states.push_back(x0), r.t.push_back(t0), ++next;

  stepper->initialize(t0, x0, t1);
  std::vector<double> g_prev(events.size());
  for (std::size_t e = 0; e < events.size(); ++e) g_prev[e] = events[e].g(t0, x0.data());
  Vec xs(rhs.dim);
  double t_stop = t1;
  r.status = Status::kSuccess;
  while (stepper->t() < t1) {
    if (stepper->steps >= o.max_steps) {
      r.status = Status::kMaxSteps;
      break;
    }
    if (!stepper->step()) {
      r.status = Status::kFailure;
      r.message = stepper->message();
      break;
    }
    const double ta = stepper->t_prev(), tb = std::min(stepper->t(), t1);
    const Vec xb = [&] {
      if (stepper->t() <= t1) return stepper->x();
      stepper->interpolate(tb, xs);
      return Vec(xs);
    }();
    // Events crossed during this step, in time order.
    std::vector<EventHit> hits;
    for (std::size_t e = 0; e < events.size(); ++e) {
      const double gb = events[e].g(tb, xb.data());
      const double ga = g_prev[e];
      g_prev[e] = gb;
      const int dir = (ga < 0 && gb >= 0) ? 1 : (ga > 0 && gb <= 0) ? -1 : 0;
      if (dir == 0 || (events[e].direction != 0 && events[e].direction != dir)) continue;
      auto g = [&](double s) {
        stepper->interpolate(s, xs);
        return events[e].g(s, xs.data());
      };
      const double root = gb == 0 ? tb : find_root(g, ta, ga, tb, gb);
      stepper->interpolate(root, xs);
      hits.push_back({static_cast<int>(e), root, xs, dir});
    }
    std::sort(hits.begin(), hits.end(), [](const EventHit& a, const EventHit& b) { return a.t < b.t; });
    for (const auto& h : hits) {
      r.events.push_back(h);
      if (events[h.event].terminal) {
        t_stop = h.t;
        r.status = Status::kTerminalEvent;
        break;
      }
    }
    const double t_end = std::min(tb, t_stop);
    for (; next < times.size() && times[next] <= t_end; ++next) {
      stepper->interpolate(times[next], xs);
      states.push_back(xs);
      r.t.push_back(times[next]);
    }
    if (r.status == Status::kTerminalEvent) break;
  }
  r.steps = stepper->steps;
  r.rhs_evals = stepper->rhs_evals;
  r.jacobian_evals = stepper->jacobian_evals;
  r.x.resize(rhs.dim, static_cast<Eigen::Index>(states.size()));
  for (std::size_t i = 0; i < states.size(); ++i) r.x.col(static_cast<Eigen::Index>(i)) = states[i];
  if (r.status == Status::kSuccess) r.message = "reached t1";
  else if (r.status == Status::kTerminalEvent) r.message = "stopped by terminal event '" + events[r.events.back().event].name + "'";
  else if (r.status == Status::kMaxSteps) r.message = fmt::format("stopped after max_steps = {} steps at t = {}", o.max_steps, stepper->t());
  else r.message = fmt::format("failed at t = {}: {}", stepper->t(), r.message);
  return r;
}

std::string Result::brief_report() const {
  std::ostringstream os;
  os << fmt::format("ode: {} with {}: {} steps, {} right-hand sides, {} Jacobians; {} outputs, {} events\n",
                    message, to_string(method), steps, rhs_evals, jacobian_evals, t.size(), events.size());
  if (!method_reason.empty()) os << "  method auto: " << method_reason << "\n";
  return os.str();
}

}  // namespace fw::ode
