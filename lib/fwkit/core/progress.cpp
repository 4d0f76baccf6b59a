#include "fwkit/core/progress.hpp"

#include <unistd.h>

#include <algorithm>

namespace fw {
namespace {

std::string format_seconds(double s) {
  if (!(s >= 0) || s > 1e7) return "--:--";
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
  return buf;
}

}  // namespace

Progress::Progress(std::string label, std::uint64_t total, std::FILE* stream,
                   int interactive, double min_interval_s)
    : label_(std::move(label)),
      total_(std::max<std::uint64_t>(total, 1)),
      stream_(stream),
      interactive_(interactive < 0 ? (stream && isatty(fileno(stream)) != 0)
                                   : interactive != 0),
      min_interval_s_(interactive_ ? 0.1 : min_interval_s),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() {
  if (!finished_ && interactive_ && lines_ > 0 && stream_) std::fputc('\n', stream_);
}

void Progress::update(std::uint64_t done) {
  if (!stream_ || finished_) return;
  // Never backwards: solvers that restart (gMAM's relaxations) report from 0 again.
  done = std::max(done, done_);
  done_ = done;
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_).count() < min_interval_s_) return;
  last_ = now;
  report(done, false);
}

void Progress::finish() {
  if (!stream_ || finished_) return;
  report(total_, true);
  finished_ = true;
}

void Progress::report(std::uint64_t done, bool final) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
  const double eta = frac > 0 ? elapsed * (1 - frac) / frac : -1;
  if (interactive_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    std::fprintf(stream_, "\r%s [%s] %5.1f%% elapsed %s eta %s", label_.c_str(), bar.c_str(),
                 100 * frac, format_seconds(elapsed).c_str(), format_seconds(eta).c_str());
    if (final) std::fputc('\n', stream_);
  } else {
    std::fprintf(stream_, "%s: %5.1f%% (%llu/%llu) elapsed %s eta %s\n", label_.c_str(),
                 100 * frac, static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total_), format_seconds(elapsed).c_str(),
                 final ? "00:00" : format_seconds(eta).c_str());
  }
  std::fflush(stream_);
  ++lines_;
}

}  // namespace fw
