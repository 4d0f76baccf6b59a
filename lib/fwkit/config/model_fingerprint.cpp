#include "fwkit/config/model_fingerprint.hpp"

#include <fmt/format.h>

#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace fw::config {
namespace {

void flatten(const toml::table& t, const std::string& prefix, std::map<std::string, std::string>& out) {
  for (const auto& [key, node] : t) {
    const std::string name = prefix + "." + std::string(key.str());
    if (const auto* sub = node.as_table()) {
      flatten(*sub, name, out);
      continue;
    }
    std::ostringstream os;
    node.visit([&](const auto& v) { os << v; });
    out[name] = os.str();
  }
}

}  // namespace

std::map<std::string, std::string> flatten_model(const std::string& config_toml) {
  std::map<std::string, std::string> out;
  try {
    const toml::table root = toml::parse(config_toml);
    if (const auto* model = root["model"].as_table()) flatten(*model, "model", out);
  } catch (const toml::parse_error&) {
    // Not TOML (an empty or foreign provenance): no model to fingerprint.
  }
  return out;
}

std::string model_hash(const std::string& config_toml) {
  const auto flat = flatten_model(config_toml);
  if (flat.empty()) return "";
  std::uint64_t h = 1469598103934665603ULL;
  for (const auto& [k, v] : flat)
    for (char c : k + " = " + v + "\n") h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return fmt::format("{:016x}", h);
}

std::vector<std::string> model_differences(const std::string& config_a, const std::string& config_b) {
  const auto a = flatten_model(config_a), b = flatten_model(config_b);
  std::vector<std::string> out;
  if (a.empty() || b.empty()) return out;
  std::set<std::string> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  for (const auto& k : keys) {
    const auto ia = a.find(k), ib = b.find(k);
    const std::string va = ia == a.end() ? "absent" : ia->second, vb = ib == b.end() ? "absent" : ib->second;
    if (va != vb) out.push_back(fmt::format("{}: {} vs {}", k, va, vb));
  }
  return out;
}

}  // namespace fw::config
