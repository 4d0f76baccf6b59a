#include "fwkit/model/field.hpp"

namespace fw::model {

void Field::eval_batch(const double* x, double* out, std::size_t n, std::vector<double>& work,
                       std::vector<double*>&) const {
  const std::size_t in = static_cast<std::size_t>(in_dim()), m = static_cast<std::size_t>(out_dim());
  work.resize(in + m);
  for (std::size_t p = 0; p < n; ++p) {
    for (std::size_t i = 0; i < in; ++i) work[i] = x[i * n + p];
    eval(work.data(), work.data() + in);
    for (std::size_t k = 0; k < m; ++k) out[k * n + p] = work[in + k];
  }
}

}  // namespace fw::model
