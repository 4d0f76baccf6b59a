// solvers/hj/jet_cost.hpp — second-order updates for the Gaussian
// Hamiltonian H = <b, p> + p^T D(x) p / 2 from nodes that carry V and grad V
// (the jet), used by fw::hj::solve with Method::kJet.
//
// An update from a base point a to the target x:
//   - V(a) by the cubic Hermite interpolant along the base edge (values and
//     the edge components of grad V at both ends: O(h^4)), grad V(a) by
//     linear interpolation (O(h^2));
//   - the path from a to x is a cubic curve leaving a along the minimum
//     action direction there, u = b(a) + D(a) grad V(a), and arriving along
//     the reflection of that direction about the chord (the circular arc
//     through a and x tangent to u, to second order);
//   - its geometric action int |b|_A |phi'|_A - <b, phi'>_A (A = D^{-1}) by
//     Simpson's rule on the curve;
//   - grad V(x) from the arrival direction t: the momentum the geometric
//     action assigns to it, p = A (|b|_A t / |t|_A - b), which satisfies
//     H(x, p) = 0 exactly.
// The base point a ranges over an edge [x0, x1] of accepted nodes; the
// update is the minimum over it (a root of its slope in the edge parameter). With
// straight segments the path error is O(L^3) per update, with the curve
// O(L^5), L the segment length; Hermite data remove the O(h^2) interpolation
// error per update that makes linear-interpolation OLIMs first order.
#pragma once

#include <Eigen/Dense>
#include <limits>

#include "fwkit/model/hamiltonian.hpp"

namespace fw::hj {

template <int D>
class JetCost {
 public:
  using Vd = Eigen::Matrix<double, D, 1>;
  using Md = Eigen::Matrix<double, D, D>;

  /// Drift and metric at a point.
  struct Point {
    Vd x, b;
    Vd ab;      // A b, A = D^{-1}
    double bb;  // |b|_A^2
    Md a, dm;   // A and D, when they depend on the state
  };
  /// An update's value and what its gradient is computed from (gradient()).
  struct Update {
    double value = std::numeric_limits<double>::infinity();
    Vd base = Vd::Zero(), base_grad = Vd::Zero();  // where the path starts, and grad V there
    bool straight = false;  // a straight segment, not the curve
  };

  /// Requires a Gaussian (Langevin) Hamiltonian with an invertible D(x).
  explicit JetCost(const model::Hamiltonian& h);

  Point at(const Vd& x) const;

  /// The minimum action direction b + D grad V at a point (the
  /// characteristic's, forward in time along the instanton).
  Vd characteristic(const Point& p, const Vd& g) const { return p.b + diffusion(p) * g; }

  /// The action of the curve from the node xa (grad V = ga there) to the
  /// target: +inf when the minimum action direction at xa turns away.
  double path_action(const Vd& xa, const Vd& ga, const Point& target) const { return curve(xa, ga, target, false); }

  /// The update from the node (xa, va, ga) to the target: the curve (its
  /// action `path`, from path_action) or the straight segment, whichever is
  /// cheaper.
  Update from_point(const Vd& xa, double va, const Vd& ga, const Point& target, double path) const;

  /// The update from the edge [x0, x1] of accepted nodes to the target at an
  /// interior minimum over the edge; +inf when the minimum is at an end.
  /// `source`: path_action(x1, g1, target), shared by the edges of x1.
  /// `tolerance`: on the edge parameter (a coarse one ranks edges and
  /// starts face searches; the update kept needs the default, since the
  /// gradient at the target is taken at the base point).
  Update from_edge(const Vd& x0, double v0, const Vd& g0, const Vd& x1, double v1, const Vd& g1,
                   const Point& target, double source, double tolerance = 1e-10, int* end = nullptr) const;

  /// The update from the triangle [x0, x1, x2] of accepted nodes (3-D; x2
  /// the source) to the target at an interior minimum over it, starting
  /// from the minimum over the edge [x2, x0] at x2 + start (x0 - x2) (from
  /// from_edge), or from the interior point with barycentric coordinates
  /// (start, start1) on (x0, x1); +inf when the minimum lies on the
  /// triangle's boundary.
  /// V on the triangle is the cubic Bezier patch fixed by the vertices'
  /// values and gradients (the centre coefficient so that quadratics are
  /// reproduced: O(h^3), which keeps the method second order), grad V is
  /// linear; the minimum by Newton's method with difference derivatives.
  Update from_face(const Vd (&x)[3], const double (&v)[3], const Vd (&g)[3], const Point& target,
                   double start, double start1 = 0) const;

  /// The rate at which the value falls from the edge minimum (`start`,
  /// value `edge_value`, as for from_face) into the triangle, per unit
  /// distance from the edge: the face can hold a lower interior minimum
  /// only when it is positive (the KKT condition; one evaluation).
  double face_descent(const Vd (&x)[3], const double (&v)[3], const Vd (&g)[3], const Point& target, double start,
                      double edge_value) const;

  /// grad V at the target of an update (NaN when it cannot be formed):
  /// d/dx of the path's action at a fixed base (the envelope theorem).
  Vd gradient(const Update& u, const Point& target) const;

 private:
  /// Action of the curve from a (with grad V = ga there) to the target;
  /// +inf when the minimum action direction at a turns away from the chord
  /// by more than the curve can follow. `straight`: the straight segment.
  double curve(const Vd& a, const Vd& ga, const Point& target, bool straight) const;
  const Md& metric(const Point& p) const { return constant_metric_ ? a_ : p.a; }
  const Md& diffusion(const Point& p) const { return constant_metric_ ? dm_ : p.dm; }

  const model::Hamiltonian& h_;
  bool constant_metric_;
  Md a_, dm_;
};

}  // namespace fw::hj
