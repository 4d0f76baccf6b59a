// drivers/pipeline.cpp — cutting an experiment file into stage
// configurations and ordering them (pipeline.hpp).
#include "pipeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "fwkit/core/error.hpp"

namespace fw::driver {
namespace {

const std::vector<std::string> kCommands = {"analyze", "ode", "action", "quasipotential", "simulate", "train", "compare"};

std::size_t rank(const std::string& command) {
  return static_cast<std::size_t>(std::find(kCommands.begin(), kCommands.end(), command) - kCommands.begin());
}

/// The keys through which a stage reads another stage's result.
const std::vector<std::string> kInputKeys = {"simulation", "transitions", "training", "episodes", "quasipotential",
                                             "analytic", "points", "network", "matched"};

/// A stage's config lives in the results folder: a relative data file of the
/// model ([model.system.data] file) is made absolute from the experiment's
/// folder, so that the stage reads what the experiment named.
void anchor_data_file(toml::table& model, const std::filesystem::path& folder) {
  toml::table* data = model["system"]["data"].as_table();
  if (!data) return;
  const auto* file = data->get_as<std::string>("file");
  if (!file) return;
  const std::filesystem::path p = file->get();
  if (p.is_relative()) data->insert_or_assign("file", std::filesystem::absolute(folder / p).lexically_normal().string());
}

/// Replaces the input keys' values that name a stage by that stage's result
/// file, and records the references; a relative path to any other file is
/// made absolute from the experiment's folder (as data files are).
void resolve_references(toml::table& section, const std::set<std::string>& stages, const std::string& self,
                        const std::filesystem::path& folder, std::set<std::string>& refs) {
  for (const auto& key : kInputKeys) {
    auto* s = section[key].as_string();
    if (s == nullptr) continue;
    const std::string value = s->get();
    if (value != self && stages.count(value)) {
      refs.insert(value);
      *s = value + ".h5";
    } else if (std::filesystem::path(value).is_relative()) {
      *s = std::filesystem::absolute(folder / value).lexically_normal().string();
    }
  }
}

}  // namespace

Plan plan_experiment(const config::Config& experiment) {
  const config::Table root = experiment.root();
  const config::Table e = root.table("experiment");
  Plan plan;
  plan.name = e.string("name");
  if (plan.name.empty() || plan.name.find_first_of("/\\ \t") != std::string::npos)
    e.fail("name", "must be a non-empty name without slashes or spaces (it names the results folder)");
  plan.folder = e.string("output", "out/" + plan.name);
  plan.plots = e.boolean("plots", true);
  for (const auto& k : e.keys())
    if (k != "name" && k != "output" && k != "plots") e.fail(k, "is not a key of [experiment] (name, output, plots)");

  const config::Table stages = root.table("stages");
  const std::vector<std::string> names = stages.keys();
  if (names.empty()) throw config_error("stages: the experiment declares no stage ([stages.<name>] with a command)");
  const std::set<std::string> name_set(names.begin(), names.end());
  const toml::table doc = toml::parse(experiment.document_toml());
  std::set<std::string> shared_used;
  std::map<std::string, Stage> by_name;
  for (const auto& name : names) {
    const config::Table s = stages.table(name);
    if (!s.present()) stages.fail(name, "must be a table ([stages." + name + "])");
    if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != std::string::npos)
      throw config_error(fmt::format("stages.\"{}\"{}: a stage's name names its files in the results folder: use letters, "
                                     "digits, '_' and '-' only", name, stages.where(name)));
    Stage st;
    st.name = name;
    st.command = s.choice("command", kCommands);
    // By default every stage but a comparison gets [model], when there is one.
    const bool model_default = st.command != "compare" && doc["model"].as_table() != nullptr;
    const std::vector<std::string> use =
        s.has("use") ? s.strings("use") : (model_default ? std::vector<std::string>{"model"} : std::vector<std::string>{});
    const std::vector<std::string> after = s.has("after") ? s.strings("after") : std::vector<std::string>{};
    toml::table out;
    for (const auto& entry : use) {
      // "name" hands on [name]; "as=name" hands on [name] as [as] (two data sets, one "data").
      const auto eq = entry.find('=');
      const std::string as = eq == std::string::npos ? entry : entry.substr(0, eq);
      const std::string u = eq == std::string::npos ? entry : entry.substr(eq + 1);
      for (const std::string& n : {as, u})
        if (n.empty() || n == "experiment" || n == "stages" || n == st.command) s.fail("use", fmt::format("cannot hand on \"{}\"", entry));
      const toml::table* shared = doc[u].as_table();
      if (!shared) s.fail("use", fmt::format("names \"{}\", which is not a table at the top of the experiment", u));
      if (out.contains(as)) s.fail("use", fmt::format("hands on [{}] twice", as));
      out.insert(as, *shared);
      if (as == "model") anchor_data_file(*out[as].as_table(), experiment.root().folder());
      shared_used.insert(u);
    }
    toml::table section = *doc["stages"][name].as_table();
    section.erase("command");
    section.erase("use");
    section.erase("after");
    std::set<std::string> refs;
    resolve_references(section, name_set, name, experiment.root().folder(), refs);
    for (const auto& a : after) {
      if (!name_set.count(a)) s.fail("after", fmt::format("names \"{}\", which is not a stage", a));
      if (a == name) s.fail("after", "a stage cannot wait for itself");
      refs.insert(a);
    }
    st.depends.assign(refs.begin(), refs.end());
    out.insert(st.command, std::move(section));
    std::ostringstream os;
    os << "# stage \"" << name << "\" of experiment \"" << plan.name << "\" (written by fwkit run)\n" << out << "\n";
    st.config_text = os.str();
    by_name[name] = std::move(st);
  }
  for (auto&& [k, v] : doc)
    if (k.str() != "experiment" && k.str() != "stages" && !shared_used.count(std::string(k.str())))
      throw config_error(fmt::format("experiment: [{}] is not used by any stage{}: list it in a stage's use",
                                     std::string(k.str()), root.where(std::string(k.str()))));
  // Order: dependencies first; among the ready ones, by command (analysis
  // before solvers before simulations before comparisons), then by name.
  std::set<std::string> done;
  while (plan.stages.size() < by_name.size()) {
    const Stage* next = nullptr;
    for (const auto& [name, st] : by_name) {
      if (done.count(name)) continue;
      const bool ready = std::all_of(st.depends.begin(), st.depends.end(), [&](const auto& d) { return done.count(d) > 0; });
      if (ready && (!next || rank(st.command) < rank(next->command))) next = &st;
    }
    if (!next) {
      std::string left, afters;
      for (const auto& [name, st] : by_name) {
        if (done.count(name)) continue;
        left += (left.empty() ? "" : ", ") + name;
        if (stages.table(name).has("after")) afters += "; " + stages.table(name).describe("after");
      }
      throw config_error("stages: the dependencies of " + left + " form a cycle (each waits for another's result)" + afters);
    }
    done.insert(next->name);
    plan.stages.push_back(*next);
  }
  return plan;
}

}  // namespace fw::driver
