#include "fwkit/io/provenance.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>

#include "fwkit/config/model_fingerprint.hpp"
#include "fwkit/core/build_info.hpp"

namespace fw::io {
namespace {

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

}  // namespace

void write_provenance(const Group& root, const std::string& kind, const std::string& title,
                      const Provenance& p) {
  const BuildInfo& b = build_info();
  root.set_attribute("Conventions", "CF-1.8");
  root.set_attribute("title", title);
  root.set_attribute("fwkit_kind", kind);
  root.set_attribute("fwkit_schema_version", kSchemaVersion);
  const Group g = root.group("provenance");
  g.set_attribute("fwkit_version", b.version);
  g.set_attribute("git_hash", b.git_hash);
  g.set_attribute("git_dirty", b.git_dirty);
  g.set_attribute("command_line", p.command_line);
  g.set_attribute("config", p.config_toml);
  // The model's fingerprint: compare refuses inputs computed for different models.
  if (const std::string hash = config::model_hash(p.config_toml); !hash.empty()) g.set_attribute("model_hash", hash);
  if (p.seed) g.set_attribute("seed", static_cast<std::int64_t>(*p.seed));
  g.set_attribute("hostname", hostname());
  g.set_attribute("utc_time", utc_now());
  g.set_attribute("schema_version", kSchemaVersion);
  g.set_attribute("hdf5_version", b.hdf5_version);
  g.set_attribute("eigen_version", b.eigen_version);
  g.set_attribute("sundials_version", b.sundials_version);
  g.set_attribute("boost_version", b.boost_version);
  if (p.processes > 1) {
    g.set_attribute("processes", p.processes);
    g.set_attribute("split", p.split);
  }
}

}  // namespace fw::io
